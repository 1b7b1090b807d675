/**
 * The font the service report's PDF is drawn with: it must have CJK glyphs (PDF's standard fonts have none,
 * Chinese would come out blank). `REPORT_FONT_FILE` picks one (a .ttc also needs `REPORT_FONT_FAMILY`, the
 * member's PostScript name); else Noto Sans CJK where distributions install it (Debian's fonts-noto-cjk, which
 * the Dockerfile's runtime image carries); else none, and the caller skips the PDF.
 */
import { existsSync } from 'node:fs';

export interface CjkFont {
  file: string;
  /** Member of a TrueType Collection (.ttc), by PostScript name; absent for .ttf/.otf. */
  family?: string;
}

/** Simplified Chinese member of the Noto Sans CJK collections. */
const NOTO_SC = 'NotoSansCJKsc-Regular';

export const CJK_FONT_CANDIDATES: readonly CjkFont[] = [
  // Debian / Ubuntu (fonts-noto-cjk).
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: NOTO_SC },
  { file: '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', family: NOTO_SC },
  // Fedora (google-noto-sans-cjk-fonts), Alpine (font-noto-cjk).
  { file: '/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc', family: NOTO_SC },
  { file: '/usr/share/fonts/noto/NotoSansCJK-Regular.ttc', family: NOTO_SC },
];

export function findCjkFont(env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = existsSync): CjkFont | undefined {
  const file = env.REPORT_FONT_FILE?.trim();
  if (file) {
    // A configured font that is not there is a deployment mistake: say so instead of quietly dropping PDFs.
    if (!exists(file)) throw new Error(`REPORT_FONT_FILE=${file}: no such file (a .ttf, .otf or .ttc with CJK glyphs)`);
    const family = env.REPORT_FONT_FAMILY?.trim() || undefined;
    if (!family && /\.ttc$/i.test(file)) {
      throw new Error(
        `REPORT_FONT_FILE=${file} is a font collection: set REPORT_FONT_FAMILY to its member's PostScript name (fc-scan lists them)`,
      );
    }
    return family ? { file, family } : { file };
  }
  const found = CJK_FONT_CANDIDATES.find((f) => exists(f.file));
  return found && { ...found };
}
