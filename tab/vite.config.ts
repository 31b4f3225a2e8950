/**
 * Builds the tab into dist/tab, served by the Meent server under /tab. Run from the
 * repository root: `vite build --config tab/vite.config.ts` (npm run build:tab).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The folder of this file, so the build does not depend on the working directory.
const tabRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root: tabRoot,
  base: '/tab/',
  plugins: [react()],
  build: {
    outDir: `${tabRoot}../dist/tab`,
    emptyOutDir: true,
    target: 'es2022',
    // Route chunks are loaded on demand (React.lazy); keep the initial bundle small.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
