import OpenAI from 'openai';
import { AppError } from '../platform/errors';
import { providerEndpoint } from '../platform/providers';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatReply {
  /** The provider's id for this completion. */
  id: string;
  text: string;
  provider: 'openai';
  model: string;
  mode: 'live' | 'sandbox';
  totalTokens: number;
}

export const DEFAULT_CHAT_MODEL = 'gpt-4o-mini';

/**
 * One chat completion through the OpenAI SDK. In sandbox mode the SDK talks
 * to the local OpenAI-compatible emulator; the product code is the same.
 * (Provider choice per account, Anthropic and self-hosted models come with
 * the AI settings capability.)
 */
/** The most a reply may use, which bounds what a call can cost. */
export const MAX_REPLY_TOKENS = 400;

/** Tokens a prompt will use, estimated the way clients do (about four characters a token). */
export function estimatePromptTokens(messages: ChatMessage[]): number {
  return Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4) + 8 * messages.length;
}

export async function chat(env: Env, messages: ChatMessage[], model = DEFAULT_CHAT_MODEL): Promise<ChatReply> {
  const endpoint = providerEndpoint(env, 'openai');
  const client = new OpenAI({ apiKey: endpoint.apiKey, baseURL: endpoint.baseUrl, fetch: endpoint.fetch, maxRetries: 2, timeout: 30_000 });
  try {
    const completion = await client.chat.completions.create({ model, messages, max_tokens: MAX_REPLY_TOKENS });
    return {
      id: completion.id,
      text: completion.choices[0]?.message?.content ?? '',
      provider: 'openai',
      model: completion.model,
      mode: endpoint.mode,
      totalTokens: completion.usage?.total_tokens ?? 0,
    };
  } catch (err) {
    if (err instanceof OpenAI.APIError) {
      throw new AppError('provider_unavailable', `The AI provider refused the request: ${err.message}`);
    }
    throw err;
  }
}
