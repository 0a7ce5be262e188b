import {
  ChangePasswordBody,
  CreateStaffBody,
  IdParams,
  LoginBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  SessionInfo,
  Staff,
  UpdateStaffBody,
  listOf,
  type Ability,
} from '@branchline/protocol';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { SESSION_COOKIE } from '../../platform/http/auth-plugin.ts';
import { rebalance } from '../routing/routing.service.ts';
import * as auth from './auth.service.ts';
import { presentStaff } from './staff.presenter.ts';
import * as staffService from './staff.service.ts';
import type { StaffRow } from '../../platform/db/schema.ts';
import { findStaffById } from './staff.repo.ts';

export interface AccountsRoutesOptions {
  deps: Deps;
  abilitiesOf(actor: Actor): Ability[];
}

const tags = ['Accounts'];

export const accountsRoutes: FastifyPluginAsyncZod<AccountsRoutesOptions> = async (app, { deps, abilitiesOf }) => {
  const secureCookie = deps.config.publicUrl.startsWith('https://');

  const sessionInfo = (staff: StaffRow, idHash: string, expiresAt: string): SessionInfo => {
    const actor: Actor = {
      kind: 'staff',
      staffId: staff.id,
      libraryId: staff.library_id,
      role: presentStaff(staff).role,
    };
    return {
      staff: presentStaff(staff),
      csrfToken: auth.csrfTokenFor(deps, idHash),
      abilities: abilitiesOf(actor),
      expiresAt,
    };
  };

  const requireSession = (request: FastifyRequest): { idHash: string; expiresAt: string } => {
    if (request.session === undefined) throw errors.unauthenticated();
    return request.session;
  };

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags, summary: 'Sign in with email and password', body: LoginBody, response: { 200: SessionInfo } },
    },
    async (request, reply) => {
      const session = await auth.login(deps, request.body, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? '',
      });
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        maxAge: deps.config.sessionMaxHours * 3600,
      });
      return sessionInfo(session.staff, session.idHash, session.expiresAt);
    },
  );

  app.post('/api/auth/logout', { schema: { tags, summary: 'Sign out of this session' } }, async (request, reply) => {
    await auth.logout(deps, requireSession(request).idHash);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get(
    '/api/auth/session',
    {
      schema: {
        tags,
        summary: 'The signed-in staff member, their abilities and CSRF token',
        response: { 200: SessionInfo },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const staff = request.actor.kind === 'staff' ? await findStaffById(deps.db, request.actor.staffId) : undefined;
      if (!staff) throw errors.unauthenticated();
      return sessionInfo(staff, session.idHash, session.expiresAt);
    },
  );

  app.post(
    '/api/auth/password',
    { schema: { tags, summary: 'Change your own password (ends your other sessions)', body: ChangePasswordBody } },
    async (request, reply) => {
      await auth.changePassword(deps, request.actor, requireSession(request).idHash, request.body);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/password-reset/request',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags, summary: 'Email a single-use password reset link', body: PasswordResetRequestBody },
    },
    async (request, reply) => {
      await auth.requestPasswordReset(deps, request.body.email);
      return reply.status(202).send();
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags, summary: 'Set a new password with a reset link token', body: PasswordResetConfirmBody },
    },
    async (request, reply) => {
      await auth.confirmPasswordReset(deps, request.body);
      return reply.status(204).send();
    },
  );

  const staffTags = ['Staff'];

  app.get(
    '/api/staff',
    { schema: { tags: staffTags, summary: 'Staff of your library', response: { 200: listOf(Staff) } } },
    async (request) => ({ items: await staffService.listStaff(deps, request.actor) }),
  );

  app.post(
    '/api/staff',
    { schema: { tags: staffTags, summary: 'Add a staff member', body: CreateStaffBody, response: { 201: Staff } } },
    async (request, reply) => reply.status(201).send(await staffService.createStaff(deps, request.actor, request.body)),
  );

  app.get(
    '/api/staff/:id',
    { schema: { tags: staffTags, summary: 'One staff member', params: IdParams, response: { 200: Staff } } },
    async (request) => staffService.getStaff(deps, request.actor, request.params.id),
  );

  app.patch(
    '/api/staff/:id',
    {
      schema: {
        tags: staffTags,
        summary: 'Edit a staff member; isActive false ends their sessions',
        params: IdParams,
        body: UpdateStaffBody,
        response: { 200: Staff },
      },
    },
    async (request) => {
      const staff = await staffService.updateStaff(deps, request.actor, request.params.id, request.body);
      // A new chat limit, role or deactivation changes who the waiting chats ring for.
      await rebalance(deps, staff.libraryId);
      return staff;
    },
  );
};
