import { APP_TOML_KEYS, APP_TOML_SECTIONS, CONFIG_TOML_KEYS, CONFIG_TOML_SECTIONS } from './seid-config-keys.js';

/**
 * Flags of `seid start` that are settings too. sei-cosmos v0.3.63 `server/util.go` `bindFlags` binds every flag to
 * `SEID_<FLAG>` explicitly, so these bind although app.toml's template only mentions them in a comment
 * (`# concurrency-workers = …`; flag defined in `server/start.go`, read in `baseapp/baseapp.go` through appOpts).
 */
export const START_FLAG_SETTINGS: readonly string[] = ['concurrency-workers'];

/** Which file of the pinned seid a dotted key lives in, or undefined when it is in neither template. */
export function settingFile(key: string): 'config.toml' | 'app.toml' | 'flag' | undefined {
  if (CONFIG_TOML_KEYS.includes(key)) return 'config.toml';
  if (APP_TOML_KEYS.includes(key)) return 'app.toml';
  if (START_FLAG_SETTINGS.includes(key)) return 'flag';
  return undefined;
}

/**
 * True when `key` names a whole `[section]` of either file: with `SEID_<SECTION>` set, viper (`isPathShadowedInAutoEnv`)
 * skips the file for every key under it, and the section falls back to in-code defaults.
 */
export function isSection(key: string): boolean {
  return CONFIG_TOML_SECTIONS.includes(key) || APP_TOML_SECTIONS.includes(key);
}

/**
 * Why seid would ignore or mis-read `key` as a setting, or undefined when it binds. Used to refuse overrides and
 * (in tests) to check every setting the construct renders.
 */
export function settingProblem(key: string): string | undefined {
  if (isSection(key))
    return `names a whole [${key}] section: SEID_${key.toUpperCase().replace(/[.-]/g, '_')} would make seid ignore the file for all of it; set one key such as ${key}.<key>`;
  if (settingFile(key) === undefined)
    return 'is not a key of seid v6.1.0\'s app.toml or config.toml templates (see src/lib/seid-config-keys.ts); seid would ignore it';
  return undefined;
}
