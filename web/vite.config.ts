/**
 * Build of the web console (Vue 3 + Element Plus + ECharts). Served by the API under /console
 * (functions/api/routes/console-assets.ts), so every asset URL starts with /console/.
 * Element Plus components and their styles are imported on demand (unplugin-vue-components),
 * and every screen is its own chunk (route-level code splitting in src/router.ts).
 */
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [
    vue(),
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    rollupOptions: {
      // zod places /* @__PURE__ */ where Rollup cannot use it; harmless, and noise in test logs.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
      output: {
        // Vue and its router are on every screen; ECharts only on the reports screen.
        manualChunks(id) {
          if (/node_modules\/(@vue|vue|vue-router)\//.test(id)) return 'vue';
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          return undefined;
        },
      },
    },
  },
  logLevel: 'warn',
});
