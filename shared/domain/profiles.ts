/**
 * Department policy profiles: every rule number of the seed plans is configuration. This is the
 * profile's public face; the parts live along their seams:
 *   - `./profile/schema.ts`    the zod schema, its Chinese labels and validation errors;
 *   - `./profile/seeds/*.ts`   one preset per seed plan (docs/seeds/), every setting cited;
 *   - `./profile/defaults.ts`  what a seed is silent on, with the reason;
 *   - `./profile/presets.ts`   building the presets, merging a department's overrides.
 * The rules computed from a profile each have one home, imported from there (not re-exported
 * here): deadline kinds, due dates, reminders and escalations in `./deadlines.ts`; report and plan
 * dates in `./report-dates.ts`; draw count, team size, the key stratum and the key-enterprise
 * ratio in `./sampling.ts`; result phrases by code in `./phrases.ts`.
 */
export * from './profile/schema.js';
export { STANDARD_DISPOSITIONS } from './profile/defaults.js';
export * from './profile/presets.js';
