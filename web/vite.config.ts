import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The Branchline server in development; `npm start` at the root listens here. */
const apiTarget = 'http://localhost:3000';

export default defineConfig({
  base: '/staff/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      // ws: the chat console's live connection is a WebSocket at /api/staff/ws.
      '/api': { target: apiTarget, ws: true },
      '/health': { target: apiTarget },
    },
  },
});
