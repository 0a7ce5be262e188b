import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'src/widget.ts', formats: ['iife'], name: 'BranchlineWidget', fileName: () => 'widget.js' },
  },
});
