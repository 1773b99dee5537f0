/**
 * Screens and who sees them. Each screen is its own chunk (loaded when first opened). A screen
 * that lists `roles` is only in the menu of, and only opens for, those roles: the console never
 * offers what the API would refuse.
 */
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { session, type Role } from './auth';
import { prefetchTask } from './tasks';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    roles?: Role[];
    public?: boolean;
    menu?: string;
  }
}

const CL: Role[] = ['coordinator', 'leader'];
const C: Role[] = ['coordinator'];

export const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true, title: '登录' } },
  { path: '/witness', component: () => import('./views/Witness.vue'), meta: { public: true, title: '见证人承诺值' } },
  {
    path: '/',
    component: () => import('./views/Layout.vue'),
    children: [
      { path: '', component: () => import('./views/Home.vue'), meta: { title: '工作台', menu: 'home' } },
      { path: 'tasks', component: () => import('./views/Tasks.vue'), meta: { title: '抽查任务', roles: CL, menu: 'tasks' } },
      // its reads start here, side by side with loading its code (src/prefetch.ts)
      { path: 'tasks/:taskId', component: () => import('./views/Task.vue'), meta: { title: '抽查任务', roles: CL, menu: 'tasks' }, beforeEnter: (to) => prefetchTask(String(to.params.taskId)) },
      // The approval mail leads here: sign in first, then the task's approval.
      { path: 'approve/:taskId', redirect: (to) => ({ path: `/tasks/${String(to.params.taskId)}`, hash: '', query: { action: 'approve' } }) },
      { path: 'registry/:kind', component: () => import('./views/Registry.vue'), meta: { title: '名录库', roles: CL, menu: 'registry' } },
      { path: 'import', component: () => import('./views/Import.vue'), meta: { title: '批量导入', roles: C, menu: 'registry' } },
      { path: 'plans', component: () => import('./views/Plans.vue'), meta: { title: '年度计划', roles: CL, menu: 'plans' } },
      { path: 'plans/new', component: () => import('./views/PlanEdit.vue'), meta: { title: '制定年度计划', roles: C, menu: 'plans' } },
      { path: 'plans/:planId/edit', component: () => import('./views/PlanEdit.vue'), meta: { title: '编辑年度计划', roles: C, menu: 'plans' } },
      { path: 'plans/:planId', component: () => import('./views/Plan.vue'), meta: { title: '年度计划', roles: CL, menu: 'plans' } },
      { path: 'reports', component: () => import('./views/Reports.vue'), meta: { title: '统计与报表', roles: CL, menu: 'reports' } },
      // the built-in sign-in's accounts (Users.vue; in the menu only where the deployment has it)
      { path: 'users', component: () => import('./views/Users.vue'), meta: { title: '登录账号', roles: C, menu: 'users' } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach((to) => {
  if (to.meta.public) return true;
  const s = session.value;
  if (!s) return { path: '/login', query: { next: to.fullPath } };
  const roles = to.matched.flatMap((r) => r.meta.roles ?? []);
  if (roles.length && !roles.includes(s.principal.role)) return { path: '/' };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ? `${to.meta.title} · ` : ''}随机 · 双随机、一公开工作台`;
});
