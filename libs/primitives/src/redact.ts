// Here, not in storage, so that the trainer (pure) writes exported manifests with the same rule the API serves by.
/**
 * Text for someone who must not learn the server's layout: each absolute path (POSIX, file:// URL) becomes
 * "…/<last segment>". Used for job failure reasons, server paths shown to anonymous readers and exported manifests.
 */
export function redactPaths(text: string): string {
  // A public URL (https://host/…) shows no server layout and is what the reader configured: it stays whole. Without
  // this, its path part was taken for an absolute path ("https:/…/model.json").
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/[^\s'"`]+)|((?:\/[^\s/'"`,:;()]+){2,}\/?)/gi,
    (m: string, url: string | undefined) => {
      if (url && !/^file:/i.test(url)) return url;
      return `…/${m.replace(/\/$/, '').split('/').pop()}`;
    },
  );
}
