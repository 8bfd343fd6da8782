// What each billable resource is called and how it is drawn, shared by the
// wallet and the agency margins screen.
import { USAGE_RESOURCE_TYPES, type UsageResourceType } from '../api/types';

export const RESOURCES: Record<UsageResourceType, { label: string; unit: [string, string]; color: string }> = {
  sms_outbound: { label: 'SMS sent', unit: ['message', 'messages'], color: '#6366f1' },
  sms_inbound: { label: 'SMS received', unit: ['message', 'messages'], color: '#0ea5e9' },
  mms_outbound: { label: 'MMS sent', unit: ['message', 'messages'], color: '#14b8a6' },
  voice_minute: { label: 'Voice', unit: ['minute', 'minutes'], color: '#f59e0b' },
  email: { label: 'Email', unit: ['email', 'emails'], color: '#ec4899' },
  ai_tokens: { label: 'AI tokens', unit: ['token', 'tokens'], color: '#8b5cf6' },
};

export const RESOURCE_ORDER: readonly UsageResourceType[] = USAGE_RESOURCE_TYPES;

export function resourceLabel(type: string | null | undefined): string {
  if (!type) return '';
  return RESOURCES[type as UsageResourceType]?.label ?? type.replace(/_/g, ' ');
}

export function resourceColor(type: string): string {
  return RESOURCES[type as UsageResourceType]?.color ?? '#94a3b8';
}

/** "1,234 tokens", "1 message". */
export function formatQuantity(type: string | null | undefined, quantity: number | null | undefined): string {
  if (quantity === null || quantity === undefined) return '';
  const unit = RESOURCES[type as UsageResourceType]?.unit ?? ['unit', 'units'];
  return `${quantity.toLocaleString('en-US')} ${quantity === 1 ? unit[0] : unit[1]}`;
}
