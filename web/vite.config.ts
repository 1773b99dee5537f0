/**
 * Build of the web console (Vue 3 + Element Plus + ECharts). Served by the API under /console
 * (functions/api/routes/console-assets.ts), so every asset URL starts with /console/.
 * Element Plus components and their styles are imported on demand (unplugin-vue-components),
 * and every screen is its own chunk (route-level code splitting in src/router.ts).
 *
 * Libraries other than Vue and ECharts (Element Plus and what it uses) go in two chunks instead
 * of one per combination of screens using them (about 40 files for the task page, fetched six at
 * a time): `ui-base`, what the first screens (sign-in, layout, home) use, and `ui`, what only the
 * other screens use — any later screen then needs one more library file. Components are imported
 * from their own entry points (element-plus/es/components/…), never from 'element-plus', whose
 * index reaches every component.
 */
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Element Plus's resolver imports every component from 'element-plus/es', the index that
 * re-exports all of them: fine while Rollup tree-shakes per chunk, but a manual chunk holding
 * that index holds every component (a 300 KB chunk). So each name is imported from the entry of
 * the component folder that exports it (element-plus/es/components/<folder>/index.mjs), read
 * from the installed package.
 */
function elementPlusEntries(): Map<string, string> {
  const root = join(dirname(createRequire(import.meta.url).resolve('element-plus/package.json')), 'es', 'components');
  const out = new Map<string, string>();
  for (const dir of readdirSync(root)) {
    const entry = join(root, dir, 'index.mjs');
    if (!existsSync(entry)) continue;
    for (const m of readFileSync(entry, 'utf8').matchAll(/export \{([^}]*)\}/g))
      for (const part of m[1]!.split(',')) {
        const name = part.trim().split(/\s+as\s+/).at(-1)!;
        if (/^El[A-Z]/.test(name) && !out.has(name)) out.set(name, `element-plus/es/components/${dir}/index.mjs`);
      }
  }
  return out;
}
const EP_ENTRIES = elementPlusEntries();
const elementPlus = ElementPlusResolver({ importStyle: 'css' }).map((r) => ({
  ...r,
  resolve: async (name: string) => {
    const got = await r.resolve(name);
    if (got && typeof got === 'object' && got.from === 'element-plus/es') {
      const entry = EP_ENTRIES.get(got.name ?? name);
      if (entry) return { ...got, from: entry };
    }
    return got;
  },
}));

/** Modules of the first screens: the entry and the views shown before any click. */
const FIRST_SCREEN = /\/web\/src\/(main\.ts|App\.vue|views\/(Login|Layout|Home)\.vue)$/;
type ModuleInfo = { importers: readonly string[] } | null;
const firstScreen = new Map<string, boolean>();
/** Whether a static import chain leads from a first-screen module to `id`. */
function onFirstScreen(id: string, info: (id: string) => ModuleInfo): boolean {
  const walk = (m: string, seen: Set<string>): boolean => {
    const known = firstScreen.get(m);
    if (known !== undefined) return known;
    if (seen.has(m)) return false;
    seen.add(m);
    const yes = FIRST_SCREEN.test(m) || (info(m)?.importers ?? []).some((i) => walk(i, seen));
    if (yes) firstScreen.set(m, true); // a "no" inside a cycle may be incomplete: kept only for the top
    return yes;
  };
  const yes = walk(id, new Set());
  firstScreen.set(id, yes);
  return yes;
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [
    vue(),
    Components({ resolvers: elementPlus, dts: false }),
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
        // Vue and its router are on every screen; ECharts only on the reports screen; zod with
        // the forms that validate; the rest of the libraries in two chunks (above).
        manualChunks(id, { getModuleInfo }) {
          if (/node_modules\/(@vue|vue|vue-router)\//.test(id)) return 'vue';
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          if (/node_modules\/zod\//.test(id)) return undefined;
          if (/node_modules\//.test(id)) return onFirstScreen(id, getModuleInfo) ? 'ui-base' : 'ui';
          return undefined;
        },
      },
    },
  },
  logLevel: 'warn',
});
