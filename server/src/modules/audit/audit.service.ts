import {
  AUDIT_EXPORT_MAX,
  AUDIT_SUBJECT_TYPES,
  AuditAction,
  AuditSubjectType,
  cursorOf,
  parseCursor,
  type AuditEntry,
  type AuditExportQuery,
  type AuditListQuery,
  type AuditPage,
} from '@branchline/protocol';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../../platform/actor.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import { newId } from '../../platform/tokens.ts';
import { authorizeAuditRead } from './audit.policy.ts';
import { insertAuditRow, listAuditRows, namesOf, type AuditRow } from './audit.repo.ts';

export interface AuditInput {
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string | null;
  /** The library the subject belongs to (a library's own id for a library): whose log it goes in. */
  libraryId: string;
  /** Never patron message text or secrets: names of changed fields, roles, counts. */
  details?: Record<string, unknown>;
}

/** Records who did what to which record. Runs inside the caller's transaction when given one. */
export async function recordAudit(db: Db, actor: Actor, at: string, entry: AuditInput): Promise<void> {
  await insertAuditRow(db, {
    id: newId(),
    at,
    library_id: entry.libraryId,
    actor_kind: actor.kind,
    actor_staff_id: actor.kind === 'staff' ? actor.staffId : null,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    details_json: entry.details ?? {},
  });
}

/**
 * The fields of a change (named as the API names them) whose value differs between the record as
 * presented before and after it: a form that sends every field records only what it changed.
 */
export function changedFields(body: object, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(body).filter((field) => !isDeepStrictEqual(before[field], after[field]));
}

/** The signed-in person's library's audit log, newest first, a page at a time. */
export async function listAudit(deps: Deps, actor: Actor, query: AuditListQuery): Promise<AuditPage> {
  authorizeAuditRead(actor);
  const before = query.before === undefined ? undefined : parseCursor(query.before);
  const rows = await listAuditRows(deps.db, {
    libraryId: actor.libraryId,
    action: query.action,
    actorId: query.actorId,
    subjectType: query.subjectType,
    subjectId: query.subjectId,
    since: query.since,
    until: query.until,
    before,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: await present(deps.db, page),
    nextBefore: rows.length > query.limit && last ? cursorOf(last.at, last.id) : null,
  };
}

const EXPORT_PAGE = 1000;

/**
 * Every entry matching the filters as CSV, newest first, for a spreadsheet or an archive: at most
 * AUDIT_EXPORT_MAX of them (`truncated` says when there were more). Times are UTC; cells that a
 * spreadsheet would run as a formula are defused.
 */
export async function exportAudit(
  deps: Deps,
  actor: Actor,
  query: AuditExportQuery,
  limits: { max: number; page: number } = { max: AUDIT_EXPORT_MAX, page: EXPORT_PAGE },
): Promise<{ csv: string; truncated: boolean }> {
  authorizeAuditRead(actor);
  const entries: AuditEntry[] = [];
  let before: { at: string; id: string } | undefined;
  let truncated = false;
  for (;;) {
    const rows = await listAuditRows(deps.db, {
      libraryId: actor.libraryId,
      ...query,
      before,
      limit: limits.page,
    });
    const room = limits.max - entries.length;
    entries.push(...(await present(deps.db, rows.slice(0, room))));
    const last = rows.at(-1);
    if (rows.length > room) truncated = true;
    if (truncated || rows.length < limits.page || !last) break;
    before = { at: last.at, id: last.id };
  }
  const csv = stringify(
    entries.map((e) => [
      e.at,
      e.actor.kind,
      e.actor.staffId ?? '',
      e.actor.displayName ?? '',
      e.action,
      e.subject.type,
      e.subject.id ?? '',
      e.subject.label ?? '',
      Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : '',
    ]),
    {
      header: true,
      columns: [
        'at_utc',
        'actor_kind',
        'actor_id',
        'actor_name',
        'action',
        'subject_type',
        'subject_id',
        'subject_name',
        'details',
      ],
      escape_formulas: true,
      record_delimiter: 'windows',
    },
  );
  return { csv, truncated };
}

async function present(db: Db, rows: AuditRow[]): Promise<AuditEntry[]> {
  const idsOf = (type: AuditSubjectType) => [
    ...new Set(rows.filter((r) => r.subject_type === type && r.subject_id).map((r) => r.subject_id as string)),
  ];
  const names = new Map(
    await Promise.all(AUDIT_SUBJECT_TYPES.map(async (type) => [type, await namesOf(db, type, idsOf(type))] as const)),
  );
  const actorIds = [...new Set(rows.flatMap((r) => (r.actor_staff_id ? [r.actor_staff_id] : [])))];
  const actorNames = await namesOf(db, 'staff', actorIds);
  return rows.flatMap((row): AuditEntry[] => {
    // Entries of actions or subjects this version does not know are left out rather than mislabelled.
    const action = AuditAction.safeParse(row.action);
    const type = AuditSubjectType.safeParse(row.subject_type);
    if (!action.success || !type.success) return [];
    return [
      {
        id: row.id,
        at: row.at,
        action: action.data,
        actor: {
          kind: row.actor_kind,
          staffId: row.actor_staff_id,
          displayName: row.actor_staff_id ? (actorNames.get(row.actor_staff_id) ?? null) : null,
        },
        subject: {
          type: type.data,
          id: row.subject_id,
          label: row.subject_id ? (names.get(type.data)?.get(row.subject_id) ?? null) : null,
        },
        details: isRecord(row.details_json) ? row.details_json : {},
      },
    ];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
