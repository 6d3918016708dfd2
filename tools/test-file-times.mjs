// node:test reporter: at the end, each test file's wall time (its own process, hooks included), slowest first.
// Why: the CI log then says where the suite's time goes without a second, instrumented run.
import { relative } from 'node:path';

export default async function* fileTimes(source) {
  const files = [];
  for await (const event of source) {
    const { type, data } = event;
    // a file's own process reports once more, as a test named after the file, when it ends
    if (type === 'test:complete' && data.nesting === 0 && data.file && data.name === data.file)
      files.push({ file: relative(process.cwd(), data.file), ms: data.details.duration_ms, ok: data.details.passed });
  }
  files.sort((a, b) => b.ms - a.ms);
  const total = files.reduce((s, f) => s + f.ms, 0);
  yield `# per file (${files.length} files, ${(total / 1000).toFixed(0)} s in all):\n`;
  for (const f of files) yield `#   ${(f.ms / 1000).toFixed(1).padStart(7)} s ${f.ok ? '' : 'FAILED '}${f.file}\n`;
}
