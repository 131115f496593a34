import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Relative to the package root, where npm scripts (and the tests) run.
export default defineConfig({
  root: 'ui',
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The service sends a CSP without inline scripts or styles: keep Vite from inlining assets.
    assetsInlineLimit: 0,
  },
});
