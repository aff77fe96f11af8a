// Preloaded into each CLI child by the hostile benchmark (`node --import`): at exit, writes the peak
// resident set size in kilobytes (process.resourceUsage().maxRSS) to FORGETSCOPE_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.FORGETSCOPE_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // the case's folder may be gone; nothing to record
    }
  });
}
