import {
  Branch,
  CreateBranchBody,
  CreateDeskBody,
  CreateLibraryBody,
  Desk,
  IdParams,
  Library,
  UpdateBranchBody,
  UpdateDeskBody,
  UpdateLibraryBody,
  listOf,
} from '@branchline/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../platform/deps.ts';
import { rebalance } from '../routing/routing.service.ts';
import * as service from './libraries.service.ts';

export const librariesRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const libraryTags = ['Libraries'];
  app.get(
    '/api/libraries',
    { schema: { tags: libraryTags, summary: 'Libraries you belong to', response: { 200: listOf(Library) } } },
    async (request) => ({ items: await service.listLibrariesFor(deps, request.actor) }),
  );
  app.post(
    '/api/libraries',
    { schema: { tags: libraryTags, summary: 'Create a library', body: CreateLibraryBody, response: { 201: Library } } },
    async (request, reply) => reply.status(201).send(await service.createLibrary(deps, request.actor, request.body)),
  );
  app.get(
    '/api/libraries/:id',
    { schema: { tags: libraryTags, summary: 'One library', params: IdParams, response: { 200: Library } } },
    async (request) => service.getLibrary(deps, request.actor, request.params.id),
  );
  app.patch(
    '/api/libraries/:id',
    {
      schema: {
        tags: libraryTags,
        summary: 'Edit a library',
        params: IdParams,
        body: UpdateLibraryBody,
        response: { 200: Library },
      },
    },
    async (request) => service.updateLibrary(deps, request.actor, request.params.id, request.body),
  );

  const branchTags = ['Branches'];
  app.get(
    '/api/libraries/:id/branches',
    {
      schema: {
        tags: branchTags,
        summary: 'Branches of a library',
        params: IdParams,
        response: { 200: listOf(Branch) },
      },
    },
    async (request) => ({ items: await service.listBranches(deps, request.actor, request.params.id) }),
  );
  app.post(
    '/api/libraries/:id/branches',
    {
      schema: {
        tags: branchTags,
        summary: 'Add a branch',
        params: IdParams,
        body: CreateBranchBody,
        response: { 201: Branch },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createBranch(deps, request.actor, request.params.id, request.body)),
  );
  app.get(
    '/api/branches/:id',
    { schema: { tags: branchTags, summary: 'One branch', params: IdParams, response: { 200: Branch } } },
    async (request) => service.getBranch(deps, request.actor, request.params.id),
  );
  app.patch(
    '/api/branches/:id',
    {
      schema: {
        tags: branchTags,
        summary: 'Edit a branch (isActive false to retire it)',
        params: IdParams,
        body: UpdateBranchBody,
        response: { 200: Branch },
      },
    },
    async (request) => service.updateBranch(deps, request.actor, request.params.id, request.body),
  );

  const deskTags = ['Desks'];
  app.get(
    '/api/libraries/:id/desks',
    { schema: { tags: deskTags, summary: 'Desks of a library', params: IdParams, response: { 200: listOf(Desk) } } },
    async (request) => ({ items: await service.listDesks(deps, request.actor, request.params.id) }),
  );
  app.post(
    '/api/libraries/:id/desks',
    {
      schema: {
        tags: deskTags,
        summary: 'Add a desk',
        params: IdParams,
        body: CreateDeskBody,
        response: { 201: Desk },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createDesk(deps, request.actor, request.params.id, request.body)),
  );
  app.get(
    '/api/desks/:id',
    { schema: { tags: deskTags, summary: 'One desk', params: IdParams, response: { 200: Desk } } },
    async (request) => service.getDesk(deps, request.actor, request.params.id),
  );
  app.patch(
    '/api/desks/:id',
    {
      schema: {
        tags: deskTags,
        summary: 'Edit a desk (isActive false to close it)',
        params: IdParams,
        body: UpdateDeskBody,
        response: { 200: Desk },
      },
    },
    async (request) => {
      const desk = await service.updateDesk(deps, request.actor, request.params.id, request.body);
      // A new mode, chat limit or closing changes who its waiting chats ring for.
      await rebalance(deps, desk.libraryId);
      return desk;
    },
  );
};
