import { chat, estimatePromptTokens, MAX_REPLY_TOKENS, type ChatMessage } from '../../ai/chat';
import { assertCanAfford, chargeUsage } from '../../wallet/metering';
import type { ServiceDeps } from '../../platform/deps';
import { queryAll } from '../../platform/db';
import { getContactView } from './contacts.service';

/**
 * Asks the account's AI model for a short brief on a contact: who they are,
 * open work, latest notes. The tokens are billed to the account's wallet; an
 * empty wallet refuses before the model is called.
 */
export async function summarizeContact(deps: ServiceDeps, contactId: string) {
  const contact = await getContactView(deps, contactId);
  const [notes, tasks, opportunities] = await Promise.all([
    queryAll<{ body: string }>(
      deps.db,
      'SELECT body FROM notes WHERE account_id = ? AND contact_id = ? ORDER BY created_at DESC LIMIT 3',
      deps.auth.accountId,
      contactId,
    ),
    queryAll<{ title: string }>(
      deps.db,
      'SELECT title FROM tasks WHERE account_id = ? AND contact_id = ? AND completed_at IS NULL ORDER BY created_at DESC LIMIT 5',
      deps.auth.accountId,
      contactId,
    ),
    queryAll<{ name: string; status: string }>(
      deps.db,
      'SELECT name, status FROM opportunities WHERE account_id = ? AND contact_id = ? ORDER BY created_at DESC LIMIT 5',
      deps.auth.accountId,
      contactId,
    ),
  ]);
  const facts = [
    `Name: ${contact.name}`,
    contact.company && `Company: ${contact.company}`,
    contact.tags.length > 0 && `Tags: ${contact.tags.map((t) => t.name).join(', ')}`,
    opportunities.length > 0 && `Opportunities: ${opportunities.map((o) => `${o.name} (${o.status})`).join(', ')}`,
    tasks.length > 0 && `Open tasks: ${tasks.map((t) => t.title).join(', ')}`,
    notes.length > 0 && `Latest note: ${notes[0].body.slice(0, 300).replaceAll('\n', ' ')}`,
  ].filter(Boolean);
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You brief a salesperson on a CRM contact in two or three sentences. Use only the facts given.' },
    { role: 'user', content: facts.join('\n') },
  ];
  await assertCanAfford(deps.env, deps.auth.accountId, 'ai_tokens', estimatePromptTokens(messages) + MAX_REPLY_TOKENS);
  const reply = await chat(deps.env, messages);
  if (reply.totalTokens > 0) {
    await chargeUsage(deps.env, { accountId: deps.auth.accountId, resource: 'ai_tokens', quantity: reply.totalTokens, resourceId: reply.id });
  }
  return { summary: reply.text, provider: reply.provider, model: reply.model, mode: reply.mode };
}
