// Here, not in storage, so that the trainer (pure) writes exported manifests with the same rule the API serves by.
/**
 * Text for someone who must not learn the server's layout: each absolute path (POSIX, file:// URL) becomes
 * "…/<last segment>". Used for job failure reasons, server paths shown to anonymous readers and exported manifests.
 */
export function redactPaths(text: string): string {
  return text.replace(
    /(?:file:\/\/)?(?:\/[^\s/'"`,:;()]+){2,}\/?/g,
    (p) => `…/${p.replace(/\/$/, '').split('/').pop()}`,
  );
}
