import { Hono } from 'hono';

/**
 * An OpenAI-compatible chat endpoint that answers deterministically, so the
 * product's AI features run offline and tests can assert exact replies.
 * Speaks the same wire format as POST /v1/chat/completions, including the
 * error envelope `{ error: { message, type, param, code } }`.
 */
export const openaiEmulator = new Hono();

interface ChatMessage {
  role: string;
  content: string | Array<{ type: string; text?: string }>;
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'sandbox-echo'];

function openaiError(status: 400 | 401 | 404, message: string, param: string | null = null, code: string | null = null) {
  return Response.json({ error: { message, type: status === 401 ? 'invalid_request_error' : 'invalid_request_error', param, code } }, { status });
}

function textOf(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => part.text ?? '').join('');
}

/** Rough token count the way clients estimate it: about four characters a token. */
function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * The sandbox model's answer: it reads `Field: value` lines from the last user
 * message and restates them as one sentence, which is what a summary of
 * structured CRM data looks like. Same input, same answer.
 */
export function sandboxAnswer(messages: ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const text = lastUser ? textOf(lastUser) : '';
  const facts = text
    .split('\n')
    .map((line) => /^\s*([A-Za-z][\w ]{0,40}):\s*(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1].trim().toLowerCase()} ${m[2].trim()}`);
  if (facts.length === 0) return `Sandbox reply: ${text.slice(0, 200)}`;
  return `Summary (sandbox model): ${facts.join('; ')}.`;
}

openaiEmulator.use('*', async (c, next) => {
  const auth = c.req.header('authorization') ?? '';
  if (!/^Bearer\s+\S+/.test(auth)) return openaiError(401, "You didn't provide an API key.", null, 'invalid_api_key');
  await next();
});

openaiEmulator.get('/v1/models', (c) =>
  c.json({ object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'sandbox' })) }),
);

openaiEmulator.post('/v1/chat/completions', async (c) => {
  let body: { model?: unknown; messages?: unknown; max_tokens?: unknown; stream?: unknown };
  try {
    body = await c.req.json();
  } catch {
    return openaiError(400, 'We could not parse the JSON body of your request.');
  }
  if (typeof body.model !== 'string') return openaiError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (!MODELS.includes(body.model))
    return openaiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'model', 'model_not_found');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openaiError(400, "Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (body.stream === true) return openaiError(400, 'The sandbox model does not stream.', 'stream', 'unsupported_parameter');
  const messages = body.messages as ChatMessage[];
  const answer = sandboxAnswer(messages);
  const promptTokens = countTokens(messages.map(textOf).join('\n'));
  const completionTokens = countTokens(answer);
  return c.json({
    // Unique per completion, as OpenAI's are: usage is billed by this id.
    id: `chatcmpl-sandbox-${crypto.randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    system_fingerprint: 'sandbox',
  });
});
