import { AUDIT_EXPORT_MAX, AuditExportQuery, AuditListQuery, AuditPage } from '@branchline/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { exportAudit, listAudit } from './audit.service.ts';

export const auditRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/audit-log',
    {
      schema: {
        tags: ['Audit log'],
        summary: "Your library's audit log, newest first (administrators and supervisors)",
        description:
          'Who did what to which record: settings, staff accounts, transcripts read, patrons blocked and ' +
          'transcripts purged. Pass `nextBefore` back as `before` for the older entries.',
        querystring: AuditListQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => listAudit(deps, request.actor, request.query),
  );

  app.get(
    '/api/audit-log/export',
    {
      schema: {
        tags: ['Audit log'],
        summary: 'Download the entries matching the filters as CSV (administrators and supervisors)',
        description:
          `Newest first, times in UTC, at most ${AUDIT_EXPORT_MAX} entries; the header ` +
          '`x-branchline-truncated: true` says there were more (narrow the dates). Cells a spreadsheet ' +
          'would run as a formula start with an apostrophe.',
        querystring: AuditExportQuery,
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV: a header row, then one row per entry') },
      },
    },
    async (request, reply) => {
      const { csv, truncated } = await exportAudit(deps, request.actor, request.query);
      const day = deps.clock.now().toISOString().slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="branchline-audit-log-${day}.csv"`)
        .header('cache-control', 'no-store')
        .header('x-branchline-truncated', String(truncated))
        .send(csv);
    },
  );
};
