/**
 * The streaming CSV reader: line numbers through blank lines and CRLF, a BOM split across
 * chunks, quoted commas, and the errors that must stop a load (an unclosed quote, a runaway
 * record, a failed download) rather than pass a half-read file.
 */
import { describe, expect, it } from 'vitest';
import { CsvReadError, csvRows, type CsvRow } from './csv-rows';

async function all(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, max?: number): Promise<CsvRow[]> {
  const out: CsvRow[] = [];
  for await (const r of csvRows(chunks, max)) out.push(r);
  return out;
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('csvRows', () => {
  it('reads fields trimmed and unquoted, each with the line it ends on, through a BOM, CRLF and blank lines', async () => {
    const text = '\uFEFFinstrument_token, tradingsymbol, name\r\n12345602,NIFTY26D0826000CE,"NIFTY"\r\n\r\n408065, INFY ,"INFOSYS, LTD"\r\n';
    const want = [
      { fields: ['instrument_token', 'tradingsymbol', 'name'], line: 1 },
      { fields: ['12345602', 'NIFTY26D0826000CE', 'NIFTY'], line: 2 },
      { fields: ['408065', 'INFY', 'INFOSYS, LTD'], line: 4 },
    ];
    expect(await all([text])).toEqual(want);
    // The same bytes cut anywhere, even inside the BOM's three bytes, read the same.
    const b = bytes(text);
    for (const cut of [1, 2, 5, 40, 41, b.length - 1]) expect(await all([b.slice(0, cut), b.slice(cut)])).toEqual(want);
  });

  it('hands records of any width to the caller, and keeps a stray quote inside an unquoted field', async () => {
    expect(await all(['a,b,c\n1,2\n1,2,3,4\nM"M,x,y\n'])).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', '2'], line: 2 },
      { fields: ['1', '2', '3', '4'], line: 3 },
      { fields: ['M"M', 'x', 'y'], line: 4 },
    ]);
  });

  it('stops with the line when a quote is never closed or a record runs past the limit', async () => {
    await expect(all(['a,b\n1,"x\n2,y\n3,z\n'])).rejects.toThrow(CsvReadError);
    await expect(all(['a,b\n1,"x\n2,y\n3,z\n'])).rejects.toThrow(/^the CSV cannot be read at line 4: Quote Not Closed/);
    await expect(all([`a,b\n1,x\n2,"${'z'.repeat(300)}"\n`], 100)).rejects.toThrow(/at line 3: Max Record Size/);
  });

  it("fails with the download's own error when the body breaks off", async () => {
    async function* broken() {
      yield bytes('a,b\n1,2\n');
      throw new Error('socket hang up');
    }
    await expect(all(broken())).rejects.toThrow('socket hang up');
  });
});
