import type { DeskAvailability, PatronConversation, QueueInfo } from '@branchline/protocol';
import { ENDED_STATUSES } from './contract.ts';
import { type Lang, t } from './messages.ts';

/** 1st, 2nd, 3rd, 11th, 21st… in English; 1.º, 2.º… in Spanish. */
export function ordinal(n: number, lang: Lang): string {
  if (lang === 'es') return `${n}.º`;
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** "less than a minute", "about 1 minute", "about 3 minutes"; null when there is no estimate. */
export function waitText(seconds: number | null, lang: Lang): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 60) return t(lang, 'waitUnderMinute');
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? t(lang, 'waitOneMinute') : t(lang, 'waitMinutes', { n: minutes });
}

/** "You're 2nd in line — about 3 minutes", or without the estimate when there is none. */
export function queueText(queue: QueueInfo | null, lang: Lang): string {
  if (queue === null) return t(lang, 'statusWaiting');
  const wait = waitText(queue.estimatedWaitSeconds, lang);
  const place = ordinal(queue.position, lang);
  return wait === null ? t(lang, 'queue', { ordinal: place }) : t(lang, 'queueWait', { ordinal: place, wait });
}

/** What the status line says, in words, whatever the colour or icon. */
export interface StatusFacts {
  online: boolean;
  link: 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline';
  conversation: PatronConversation | null;
  /** The first message is on its way and the chat does not exist yet. */
  starting: boolean;
  desk: DeskAvailability | null;
  expired: boolean;
}

export function statusLine(facts: StatusFacts, lang: Lang): string {
  const { conversation, desk } = facts;
  if (facts.expired) return t(lang, 'expired');
  if (conversation && ENDED_STATUSES.includes(conversation.status)) return t(lang, 'statusEnded');
  if (!facts.online || facts.link === 'offline') return t(lang, 'statusOffline');
  if (conversation === null) {
    if (facts.starting) return t(lang, 'statusSending');
    if (!desk?.isOpen || !desk.isStaffed || desk.suggestLeavingQuestion) return '';
    const wait = desk.waiting > 0 ? waitText(desk.estimatedWaitSeconds, lang) : null;
    return wait === null ? t(lang, 'statusAvailable') : t(lang, 'statusAvailableWait', { wait });
  }
  if (facts.link === 'reconnecting') return t(lang, 'statusReconnecting');
  if (facts.link !== 'online') return t(lang, 'statusConnecting');
  if (conversation.status === 'queued') return queueText(conversation.queue, lang);
  if (conversation.staffDisplayName) return t(lang, 'chattingWith', { name: conversation.staffDisplayName });
  return t(lang, 'statusWaiting');
}
