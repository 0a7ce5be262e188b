import type { RouteObject } from 'react-router';
import { AccountPage } from '../features/account/account-page.tsx';
import { AdminIndex, AdminLayout } from '../features/admin/admin-layout.tsx';
import { AuditPage } from '../features/admin/audit/audit-page.tsx';
import { BlocksPage } from '../features/admin/blocks/blocks-page.tsx';
import { BranchEditPage, BranchNewPage } from '../features/admin/branches/branch-pages.tsx';
import { BranchesPage } from '../features/admin/branches/branches-page.tsx';
import { DeskEditPage, DeskNewPage } from '../features/admin/desks/desk-pages.tsx';
import { DesksPage } from '../features/admin/desks/desks-page.tsx';
import { LibraryNewPage } from '../features/admin/library/library-new-page.tsx';
import { LibraryPage } from '../features/admin/library/library-page.tsx';
import { StaffEditPage, StaffNewPage } from '../features/admin/staff/staff-pages.tsx';
import { StaffPage } from '../features/admin/staff/staff-page.tsx';
import { ForgotPasswordPage } from '../features/auth/forgot-password-page.tsx';
import { LoginPage } from '../features/auth/login-page.tsx';
import { RequireSession } from '../features/auth/require-session.tsx';
import { ResetPasswordPage } from '../features/auth/reset-password-page.tsx';
import { CannedResponsesPage } from '../features/chat/canned-responses-page.tsx';
import { ChatConsolePage } from '../features/chat/chat-console-page.tsx';
import { HomePage } from '../features/home/home-page.tsx';
import { ConversationReadPage } from '../features/inbox/conversation-read-page.tsx';
import { InboxPage } from '../features/inbox/inbox-page.tsx';
import { PlaceholderPage } from '../features/placeholders/placeholder-page.tsx';
import { PLACEHOLDERS } from '../features/placeholders/placeholders.ts';
import { AppLayout } from './app-layout.tsx';
import { ErrorPage } from './error-page.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { PublicLayout } from './public-layout.tsx';

/** Every screen of the dashboard; paths are relative to the /staff basename. */
export const routes: RouteObject[] = [
  {
    errorElement: <ErrorPage />,
    children: [
      {
        element: <PublicLayout />,
        children: [
          { path: 'login', element: <LoginPage /> },
          { path: 'forgot-password', element: <ForgotPasswordPage /> },
          { path: 'reset-password', element: <ResetPasswordPage /> },
        ],
      },
      {
        element: <RequireSession />,
        children: [
          {
            element: <AppLayout />,
            children: [
              { index: true, element: <HomePage /> },
              { path: 'chat', element: <ChatConsolePage /> },
              { path: 'chat/canned', element: <CannedResponsesPage /> },
              { path: 'inbox', element: <InboxPage /> },
              { path: 'inbox/:conversationId', element: <ConversationReadPage /> },
              ...PLACEHOLDERS.map((section) => ({
                path: section.path,
                element: <PlaceholderPage section={section} />,
              })),
              {
                path: 'admin',
                element: <AdminLayout />,
                children: [
                  { index: true, element: <AdminIndex /> },
                  { path: 'library', element: <LibraryPage /> },
                  { path: 'library/new', element: <LibraryNewPage /> },
                  { path: 'branches', element: <BranchesPage /> },
                  { path: 'branches/new', element: <BranchNewPage /> },
                  { path: 'branches/:branchId', element: <BranchEditPage /> },
                  { path: 'desks', element: <DesksPage /> },
                  { path: 'desks/new', element: <DeskNewPage /> },
                  { path: 'desks/:deskId', element: <DeskEditPage /> },
                  { path: 'staff', element: <StaffPage /> },
                  { path: 'staff/new', element: <StaffNewPage /> },
                  { path: 'staff/:staffId', element: <StaffEditPage /> },
                  { path: 'blocks', element: <BlocksPage /> },
                  { path: 'audit', element: <AuditPage /> },
                ],
              },
              { path: 'account', element: <AccountPage /> },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];
