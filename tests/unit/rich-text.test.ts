// The job description (sanitised HTML from the console's editor) as the Job Sheet prints it: paragraphs, list
// items with their bullets or numbers and indentation, and bold and italic runs.
import fc from 'fast-check';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { unicodeDocument } from '#activities/pdf/fonts.ts';
import { blocksToText, htmlToBlocks, printBlocks, type Block, type Run } from '#activities/pdf/rich-text.ts';

const plain = { bold: false, italic: false, underline: false, strike: false, link: null };
const run = (text: string, style: Partial<Run> = {}): Run => ({ text, ...plain, ...style });
const block = (runs: Run[], more: Partial<Block> = {}): Block => ({
  runs,
  indent: 0,
  marker: null,
  heading: false,
  quote: false,
  ...more,
});

describe('htmlToBlocks', () => {
  it('keeps paragraphs apart, and line breaks within one', () => {
    expect(htmlToBlocks('<p>Leak under the sink.</p>\n<p>Tenant home<br />after 3pm.</p>')).toEqual([
      block([run('Leak under the sink.')]),
      block([run('Tenant home\nafter 3pm.')]),
    ]);
  });

  it('prints bold and italic as runs, with one space between words', () => {
    expect(
      htmlToBlocks('<p>Turn off the <strong>stopcock</strong> <em>first</em>, then <b><i>call</i></b>.</p>'),
    ).toEqual([
      block([
        run('Turn off the '),
        run('stopcock', { bold: true }),
        run(' '),
        run('first', { italic: true }),
        run(', then '),
        run('call', { bold: true, italic: true }),
        run('.'),
      ]),
    ]);
    expect(htmlToBlocks('<p>a <b> b </b> c</p>')).toEqual([block([run('a '), run('b ', { bold: true }), run('c')])]);
  });

  it('numbers and bullets list items, nested lists one level in, bold inside an item', () => {
    const blocks = htmlToBlocks(
      '<p>Steps:</p><ol><li>Isolate the <strong>water</strong></li><li>Replace:<ul><li>washer</li><li>O-ring</li></ul></li><li>Test</li></ol>',
    );
    expect(blocks).toEqual([
      block([run('Steps:')]),
      block([run('Isolate the '), run('water', { bold: true })], { indent: 1, marker: '1.' }),
      block([run('Replace:')], { indent: 1, marker: '2.' }),
      block([run('washer')], { indent: 2, marker: '◦' }),
      block([run('O-ring')], { indent: 2, marker: '◦' }),
      block([run('Test')], { indent: 1, marker: '3.' }),
    ]);
    expect(blocksToText(blocks)).toBe('Steps:\n1. Isolate the water\n2. Replace:\n  ◦ washer\n  ◦ O-ring\n3. Test');
  });

  it('bullets a top-level list with •, and a paragraph inside an item takes its marker once', () => {
    expect(blocksToText(htmlToBlocks('<ul><li><p>One</p><p>more on one</p></li><li>Two</li></ul>'))).toBe(
      '• One\nmore on one\n• Two',
    );
    const [first, second] = htmlToBlocks('<ul><li><p>One</p><p>more on one</p></li></ul>');
    expect(first).toMatchObject({ marker: '•', indent: 1 });
    expect(second).toMatchObject({ marker: null, indent: 1 });
  });

  it("nests a list the browser's editor puts straight inside another", () => {
    expect(
      blocksToText(htmlToBlocks('<ul><li>Kitchen</li><ul><li>tap</li><ol><li>washer</li></ol></ul><li>Bath</li></ul>')),
    ).toBe('• Kitchen\n  ◦ tap\n    1. washer\n• Bath');
  });

  it('drops emoji (the font has none) with the spaces around them', () => {
    expect(htmlToBlocks('<p>🚰 <b>👍🏽</b> Leak 🔧 fixed</p>')).toEqual([block([run('Leak fixed')])]);
  });

  it('decodes entities', () => {
    expect(
      blocksToText(htmlToBlocks('<p>Tom &amp; Jerry&#39;s flat: 2 &lt; 3 &gt; 1, &quot;now&quot; &#8212; ok</p>')),
    ).toBe(`Tom & Jerry's flat: 2 < 3 > 1, "now" — ok`);
    expect(blocksToText(htmlToBlocks('<p>Flat&nbsp;2</p>'))).toBe('Flat\u00a02');
  });

  it('keeps stray text outside any paragraph as paragraphs of its own', () => {
    expect(htmlToBlocks('Boiler <b>off</b><p>Since Monday</p>then fixed<ul>loose<li>item</li></ul>')).toEqual([
      block([run('Boiler '), run('off', { bold: true })]),
      block([run('Since Monday')]),
      block([run('then fixed')]),
      block([run('loose')], { indent: 1 }),
      block([run('item')], { indent: 1, marker: '•' }),
    ]);
    expect(blocksToText(htmlToBlocks('Just words, no markup.'))).toBe('Just words, no markup.');
  });

  it('leaves out empty paragraphs and items, and whitespace between blocks', () => {
    expect(htmlToBlocks('')).toEqual([]);
    expect(htmlToBlocks('<p><br></p>\n  <p> </p><ul>\n<li></li>\n</ul>')).toEqual([]);
    expect(blocksToText(htmlToBlocks('<p>a<br></p>\n\n<p>  b  </p>'))).toBe('a\nb');
  });

  it('marks headings, quotes, underline, strike-through and links', () => {
    expect(
      htmlToBlocks(
        '<h3>Access</h3><blockquote>Ring twice</blockquote><p><u>Gas</u> <s>off</s> <a href="https://x.test/a" rel="noopener noreferrer" target="_blank">map</a></p>',
      ),
    ).toEqual([
      block([run('Access')], { heading: true }),
      block([run('Ring twice')], { indent: 1, quote: true }),
      block([
        run('Gas', { underline: true }),
        run(' '),
        run('off', { strike: true }),
        run(' '),
        run('map', { link: 'https://x.test/a' }),
      ]),
    ]);
  });

  it('never loses a word of the text, whatever the markup', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
    const tag = fc.constantFrom('p', 'strong', 'em', 'ul', 'ol', 'li', 'b', 'i', 'blockquote', 'h3', 'u', 's');
    const html = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        word,
        fc.constant('<br>'),
        fc.tuple(tag, fc.array(tie('node'), { maxLength: 4 })).map(([t, kids]) => `<${t}>${kids.join(' ')}</${t}>`),
      ),
    })).node;
    fc.assert(
      fc.property(html, (source) => {
        const words = source
          .replace(/<[^>]+>/g, ' ')
          .split(/\s+/)
          .filter(Boolean);
        const printed = htmlToBlocks(source)
          .flatMap((b) => b.runs.map((r) => r.text))
          .join(' ')
          .split(/\s+/)
          .filter(Boolean);
        expect(printed.join('')).toBe(words.join(''));
      }),
    );
  });
});

/** The description printed on its own page: each text item with where it starts. */
async function printed(html: string) {
  const doc = unicodeDocument({ size: 'A4', margin: 48 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  printBlocks(doc, htmlToBlocks(html), { x: 48, width: 300, size: 10.5, colour: '#1b2430' });
  doc.end();
  await ended;
  const pdf = await getDocument({ data: new Uint8Array(Buffer.concat(chunks)), verbosity: 0 }).promise;
  const items = (await (await pdf.getPage(1)).getTextContent()).items.flatMap((i) =>
    'str' in i && i.str.trim() ? [{ str: i.str.trim(), x: Math.round(i.transform[4] as number) }] : [],
  );
  return { items, x: (start: string) => items.find((i) => i.str.startsWith(start))?.x };
}

describe('printBlocks', () => {
  it('hangs list markers left of their text, indents nested lists and wrapped lines with the text', async () => {
    const { items, x } = await printed(
      '<p>Intro</p><ul><li>First item, long enough to wrap past three hundred points of width onto a second line</li>' +
        '<li>Second<ul><li>Nested</li></ul></li></ul>',
    );
    // pdf.js joins a marker and the words after it into one item.
    expect(items.map((i) => i.str)).toEqual([
      'Intro',
      '• First item, long enough to wrap past three hundred',
      'points of width onto a second line',
      '• Second',
      '◦ Nested',
    ]);
    const column = x('points')!;
    expect(x('Intro')).toBe(48);
    // The bullet hangs left of the item's text column, where the wrapped line starts.
    expect(column).toBeGreaterThan(48);
    expect(x('• First')!).toBeLessThan(column);
    expect(x('• Second')).toBe(x('• First'));
    // The nested item's bullet stands in the outer item's text column.
    expect(x('◦ Nested')!).toBeGreaterThan(x('• First')!);
    expect(Math.abs(x('◦ Nested')! - column)).toBeLessThan(24);
  });

  it("prints a link's address after its words once, unless the words are the address", async () => {
    const { items } = await printed(
      '<p><a href="https://maps.example/x"><b>the</b> map</a> or <a href="mailto:office@a.example">office@a.example</a></p>',
    );
    const text = items.map((i) => i.str).join(' ');
    expect(text.match(/\(https:\/\/maps\.example\/x\)/g)).toHaveLength(1);
    expect(text).not.toContain('(office@a.example)');
  });
});
