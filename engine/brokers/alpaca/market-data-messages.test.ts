import { describe, expect, it } from 'vitest';
import { DATA_ERROR_ACTIONS, parseDataFrame } from './market-data-messages';

describe('parseDataFrame', () => {
  it('parses the documented control messages (PROTOCOLS.md §1.10)', () => {
    expect(parseDataFrame('[{"T":"success","msg":"connected"}]')).toEqual([{ kind: 'success', msg: 'connected' }]);
    expect(parseDataFrame('[{"T":"error","code":406,"msg":"connection limit exceeded"}]')).toEqual([{ kind: 'error', code: 406, msg: 'connection limit exceeded' }]);
    expect(parseDataFrame('[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"]}]')).toEqual([{ kind: 'subscription', trades: ['AAPL'] }]);
  });

  it("parses the documentation's trade example, and a batch in order", () => {
    const example = '{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"}';
    const quote = '{"T":"q","S":"AMD","bx":"U","bp":87.66,"bs":1,"ax":"Q","ap":87.68,"as":4,"t":"2021-02-22T15:51:45.335689322Z","c":["R"],"z":"C"}';
    const round = example.replace('["@","I"]', '["@"]');
    expect(parseDataFrame(`[${round},${quote},${round.replace('126.55', '126.6')}]`)).toEqual([
      { kind: 'trade', symbol: 'AAPL', price: 126.55, at: Date.parse('2021-02-22T15:51:44.208Z') },
      { kind: 'other', type: 'q' },
      { kind: 'trade', symbol: 'AAPL', price: 126.6, at: Date.parse('2021-02-22T15:51:44.208Z') },
    ]);
  });

  it('a trade that sets no last price (the example itself is an odd lot, "I") moves no stop: other, not trade (core/last-sale.ts)', () => {
    const example = '{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"}';
    expect(parseDataFrame(`[${example},${example.replace('"I"', '"Z"')},${example.replace(',"c":["@","I"]', '')}]`)).toEqual([
      { kind: 'other', type: 't (@,I)' },
      { kind: 'other', type: 't (@,Z)' },
      { kind: 'trade', symbol: 'AAPL', price: 126.55, at: Date.parse('2021-02-22T15:51:44.208Z') },
    ]);
  });

  it('turns garbage and bad prices into invalid messages, never a NaN price', () => {
    const kinds = (text: string) => parseDataFrame(text).map((m) => m.kind);
    expect(kinds('not json')).toEqual(['invalid']);
    expect(kinds('{"T":"t"}')).toEqual(['invalid']);
    expect(kinds('[1, null, "x", []]')).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    for (const p of ['"126.55"', 'null', '-1', '0', '1e999']) {
      expect(kinds(`[{"T":"t","S":"AAPL","p":${p},"t":"2021-02-22T15:51:44.208Z"}]`)).toEqual(['invalid']);
    }
    expect(kinds('[{"T":"t","S":"AAPL","p":1,"t":"later"}]')).toEqual(['invalid']);
    expect(kinds('[{"T":"t","p":1,"t":"2021-02-22T15:51:44.208Z"}]')).toEqual(['invalid']);
  });

  it('has a decision for every documented error code', () => {
    expect(Object.keys(DATA_ERROR_ACTIONS).map(Number)).toEqual([400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 500]);
  });
});
