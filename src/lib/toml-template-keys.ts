/**
 * Reads the dotted keys out of the text of a Go-templated TOML file (seid's `app.toml` / `config.toml` templates):
 * `[section]` headers and `key = …` lines that are not commented out. Template actions (`{{ … }}`) on their own
 * lines are skipped; a key whose value is a template action still counts. Pure, so it is tested on strings.
 */
export interface TemplateKeys {
  /** Dotted keys (`p2p.pex`, or `mode` for a top-level key), in template order, each once. */
  readonly keys: string[];
  /** `[section]` names, in template order. */
  readonly sections: string[];
}

export function templateKeys(template: string): TemplateKeys {
  const keys: string[] = [];
  const sections: string[] = [];
  let section: string | undefined;
  for (const raw of template.split('\n')) {
    const line = raw.trim();
    const header = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      if (!sections.includes(section)) sections.push(section);
      continue;
    }
    const assignment = /^([A-Za-z0-9_-]+)\s*=/.exec(line);
    if (!assignment) continue;
    const key = section ? `${section}.${assignment[1]}` : assignment[1];
    if (!keys.includes(key)) keys.push(key);
  }
  return { keys, sections };
}
