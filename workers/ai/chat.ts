import OpenAI from 'openai';
import { AppError } from '../platform/errors';
import { providerEndpoint } from '../sandbox/providers';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatReply {
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
export async function chat(env: Env, messages: ChatMessage[], model = DEFAULT_CHAT_MODEL): Promise<ChatReply> {
  const endpoint = providerEndpoint(env, 'openai');
  const client = new OpenAI({ apiKey: endpoint.apiKey, baseURL: endpoint.baseUrl, fetch: endpoint.fetch, maxRetries: 2, timeout: 30_000 });
  try {
    const completion = await client.chat.completions.create({ model, messages, max_tokens: 400 });
    return {
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
