import { AuditListQuery, AuditPage } from '@branchline/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../platform/deps.ts';
import { listAudit } from './audit.service.ts';

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
};
