// A job's description on paper: the sanitised HTML the console's editor makes (jobs.ts, `sanitizeDescription`:
// paragraphs, line breaks, bold, italic, underline, strike-through, bullet and numbered lists, quotes, small
// headings and links) turned into blocks of styled runs, then printed with pdfkit in the embedded DejaVu faces.
// The converter is pure (tests/unit/rich-text.test.ts); the sanitiser has already removed anything else, and any
// tag this does not know is read as its text, so nothing the agency wrote is lost.
import { ElementType, parseDocument } from 'htmlparser2';
import { FONT, printable } from './fonts.ts';

/** A stretch of text in one style. `text` may hold '\n' (a line break within the block). */
export interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  link: string | null;
}

/** A paragraph, heading, quote or list item. */
export interface Block {
  runs: Run[];
  /** Levels of indentation: one per enclosing list or quote. */
  indent: number;
  /** A list item's bullet or number ('•', '◦', '▪', '3.'), on its first block only. */
  marker: string | null;
  heading: boolean;
  quote: boolean;
}

type Node = ReturnType<typeof parseDocument>['children'][number];
type Style = Omit<Run, 'text'>;
interface Context {
  style: Style;
  indent: number;
  heading: boolean;
  quote: boolean;
  /** The enclosing list item's marker, taken by the first block opened in it. */
  item: { marker: string | null } | null;
  /** How many lists enclose this one (for the bullet's shape). */
  lists: number;
}

const BULLETS = ['•', '◦', '▪'];
const BLOCK_TAGS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li']);
const PLAIN: Style = { bold: false, italic: false, underline: false, strike: false, link: null };

const sameStyle = (a: Style, b: Style) =>
  a.bold === b.bold &&
  a.italic === b.italic &&
  a.underline === b.underline &&
  a.strike === b.strike &&
  a.link === b.link;

/** The description's blocks, in order; empty paragraphs and items are left out. */
export function htmlToBlocks(html: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;

  const close = () => {
    if (open && finish(open)) blocks.push(open);
    open = null;
  };
  const append = (ctx: Context, text: string) => {
    if (!open) {
      // Whitespace between blocks is not a paragraph.
      if (!text.trim()) return;
      const marker = ctx.item?.marker ?? null;
      if (ctx.item) ctx.item.marker = null;
      open = { runs: [], indent: ctx.indent, marker, heading: ctx.heading, quote: ctx.quote };
    }
    const last = open.runs.at(-1);
    if (last && sameStyle(last, ctx.style)) last.text += text;
    else open.runs.push({ text, ...ctx.style });
  };

  const walk = (nodes: Node[], ctx: Context) => {
    for (const node of nodes) {
      if (node.type === ElementType.Text) {
        // HTML collapses runs of spaces and newlines (not no-break spaces) to one space. Emoji are dropped here
        // (fonts.ts), so that the spaces around them collapse too.
        append(ctx, printable(node.data).replace(/[ \t\n\r\f]+/g, ' '));
        continue;
      }
      if (node.type !== ElementType.Tag) continue; // comments, and script/style (the sanitiser removes them anyway)
      const name = node.name;
      if (name === 'br') {
        append(ctx, '\n');
        continue;
      }
      if (!BLOCK_TAGS.has(name)) {
        walk(node.children, { ...ctx, style: inline(name, node.attribs, ctx.style) });
        continue;
      }
      close();
      if (name === 'ul' || name === 'ol') {
        let n = 0;
        const inner: Context = { ...ctx, indent: ctx.indent + 1, item: null, lists: ctx.lists + 1 };
        for (const child of node.children) {
          if (child.type === ElementType.Tag && child.name === 'li') {
            close();
            n += 1;
            const marker = name === 'ol' ? `${n}.` : (BULLETS[ctx.lists % BULLETS.length] ?? '•');
            walk(child.children, { ...inner, item: { marker } });
            close();
          } else {
            // Text or tags straight inside a list: printed at the list's indentation, without a marker.
            walk([child], inner);
          }
        }
      } else if (name === 'li') {
        // An item outside any list: a bullet at the current indentation.
        walk(node.children, { ...ctx, indent: ctx.indent + 1, item: { marker: BULLETS[0] ?? '•' } });
      } else if (name === 'blockquote') {
        walk(node.children, { ...ctx, indent: ctx.indent + 1, quote: true, item: null });
      } else {
        walk(node.children, { ...ctx, heading: ctx.heading || /^h\d$/.test(name) });
      }
      close();
    }
  };

  walk(parseDocument(html).children, {
    style: PLAIN,
    indent: 0,
    heading: false,
    quote: false,
    item: null,
    lists: 0,
  });
  close();
  return blocks;
}

function inline(name: string, attribs: Record<string, string>, style: Style): Style {
  switch (name) {
    case 'strong':
    case 'b':
      return { ...style, bold: true };
    case 'em':
    case 'i':
      return { ...style, italic: true };
    case 'u':
      return { ...style, underline: true };
    case 's':
    case 'strike':
    case 'del':
      return { ...style, strike: true };
    case 'a':
      return { ...style, link: attribs.href?.trim() || null };
    default:
      return style;
  }
}

/** Tidies a block's spaces the way a browser shows them; false when nothing is left to print. */
function finish(block: Block): boolean {
  // One space between words across runs; none at the start or end of a line.
  let previous = '\n';
  for (const run of block.runs) {
    let text = run.text.replace(/ *\n */g, '\n');
    if (previous === ' ' || previous === '\n') text = text.replace(/^ /, '');
    if (text) previous = text.slice(-1);
    run.text = text;
  }
  for (const run of [...block.runs].reverse()) {
    run.text = run.text.replace(/[ \n]+$/, '');
    if (run.text) break;
  }
  block.runs = block.runs.filter((r) => r.text);
  return block.runs.some((r) => r.text.trim());
}

/** The blocks as plain lines: markers, then text (for tests and anything that wants text only). */
export const blocksToText = (blocks: Block[]): string =>
  blocks
    .map(
      (b) =>
        '  '.repeat(Math.max(0, b.indent - 1)) + (b.marker ? `${b.marker} ` : '') + b.runs.map((r) => r.text).join(''),
    )
    .join('\n');

const INDENT = 24;
const MUTED = '#5b6776';

/** Where a link goes, after its last run, when its words do not say it (a printed page cannot be clicked). */
function linkSuffix(runs: Run[], r: number): string {
  const link = runs[r]?.link;
  if (!link || runs[r + 1]?.link === link) return '';
  let first = r;
  while (first > 0 && runs[first - 1]?.link === link) first -= 1;
  const words = runs
    .slice(first, r + 1)
    .map((run) => run.text)
    .join('');
  const target = link.replace(/^(mailto|tel):/i, '');
  return words.includes(target) ? '' : ` (${target})`;
}

/**
 * Prints the blocks from the current position, `width` wide from `x`, in `size` and `colour`. Leaves the position
 * below the text, at `x`, in the regular face.
 */
export function printBlocks(
  doc: PDFKit.PDFDocument,
  blocks: Block[],
  { x, width, size, colour }: { x: number; width: number; size: number; colour: string },
): void {
  blocks.forEach((block, i) => {
    if (i > 0) doc.moveDown(block.marker && blocks[i - 1]?.marker ? 0.15 : 0.45);
    doc.fontSize(block.heading ? size + 1.5 : size);
    // A block starts on the page its marker is on.
    if (doc.y + doc.currentLineHeight(true) > doc.page.maxY()) doc.addPage();
    const left = x + block.indent * INDENT;
    const top = doc.y;
    if (block.marker) {
      doc.font(FONT.regular).fillColor(colour);
      const markerWidth = doc.widthOfString(block.marker);
      doc.text(block.marker, left - 5 - markerWidth, top, { lineBreak: false });
    }
    block.runs.forEach((run, r) => {
      const bold = run.bold || block.heading;
      doc
        .font(bold ? (run.italic ? FONT.boldItalic : FONT.bold) : run.italic ? FONT.italic : FONT.regular)
        .fillColor(block.quote ? MUTED : colour);
      const options: PDFKit.Mixins.TextOptions = {
        continued: r < block.runs.length - 1,
        underline: run.underline || Boolean(run.link),
        strike: run.strike,
        ...(run.link ? { link: run.link } : {}),
      };
      const text = run.text + linkSuffix(block.runs, r);
      if (r === 0) doc.text(text, left, top, { ...options, width: width - (left - x) });
      else doc.text(text, options);
    });
  });
  doc.font(FONT.regular).fontSize(size).fillColor(colour);
  doc.x = x;
}
