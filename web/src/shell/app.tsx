import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { setUnauthenticatedHandler } from '../api/client.ts';
import { createQueryClient } from '../api/query-client.ts';
import { queryKeys } from '../api/query-keys.ts';
import { routes } from './routes.tsx';

/** The router's basename: Vite's base without the trailing slash ("/staff"). */
const basename = import.meta.env.BASE_URL.replace(/\/$/, '');

function createApp() {
  const queryClient = createQueryClient();
  // A 401 from any request means the session is over: forget it, and the guard sends the person to sign in.
  setUnauthenticatedHandler(() => queryClient.setQueryData(queryKeys.session, null));
  const router = createBrowserRouter(routes, { basename });
  return { queryClient, router };
}

export function App() {
  const [{ queryClient, router }] = useState(createApp);
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
