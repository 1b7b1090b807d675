/**
 * Customer history keys (src/customers/keys.ts): one customer key per phone however it is written, a different one
 * under another secret, nothing of the phone in it; product keys from the serial number, else the model.
 */
import { normalisePhone } from '../../src/api/intake';
import { customerKey, customerKeyOfPhone, productKey, productKeysMatching } from '../../src/customers/keys';

const SECRET = 'test-customer-key-secret-0123456789';
const SPELLINGS = ['+86 138 0013 8000', '+8613800138000', '138-0013-8000', '13800138000', '+86-138-0013-8000', ' 138 0013 8000 '];
const PHONE_DIGITS = '8613800138000';

const keyOf = (raw: string, secret = SECRET): string => {
  const p = normalisePhone(raw);
  if (!p.ok) throw new Error(`not a phone: ${raw}`);
  return customerKey(p.e164, secret);
};

describe('customerKey', () => {
  test('the same customer, written any way, has one key: 32 hex characters', () => {
    const keys = new Set(SPELLINGS.map((s) => keyOf(s)));
    expect(keys.size).toBe(1);
    const [key] = [...keys];
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    for (const s of SPELLINGS) expect(customerKeyOfPhone(s, SECRET)).toBe(key);
  });

  test('another phone, or another secret, is another key', () => {
    expect(keyOf('13800138001')).not.toBe(keyOf('13800138000'));
    expect(keyOf('13800138000', 'another-customer-key-secret-987654')).not.toBe(keyOf('13800138000'));
  });

  test('holds no run of the phone’s digits (5 or more) in any spelling', () => {
    for (const secret of [SECRET, 'another-customer-key-secret-987654']) {
      const key = keyOf('13800138000', secret);
      for (let i = 0; i + 5 <= PHONE_DIGITS.length; i++) expect(key).not.toContain(PHONE_DIGITS.slice(i, i + 5));
    }
  });

  test('is bound to its purpose and version: not the plain HMAC of the phone', async () => {
    const { createHmac } = await import('node:crypto');
    const plain = createHmac('sha256', SECRET).update('+8613800138000').digest('hex').slice(0, 32);
    expect(keyOf('13800138000')).not.toBe(plain);
  });

  test('refuses what is not normalised, or no secret, without quoting the value', () => {
    expect(() => customerKey('13800138000', SECRET)).toThrow(/E\.164/);
    expect(() => customerKey('+86 138 0013 8000', SECRET)).toThrow(/E\.164/);
    expect(() => customerKey('+8613800138000', '')).toThrow(/secret/);
    const message = (() => {
      try {
        customerKey('138 0013 8000', SECRET);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(message).toMatch(/E\.164/);
    expect(message).not.toMatch(/138/);
    expect(customerKeyOfPhone('12345', SECRET)).toBeUndefined();
    // A landline is no customer's mobile.
    expect(customerKeyOfPhone('010 6552 9988', SECRET)).toBeUndefined();
  });
});

describe('productKey', () => {
  test('the serial number when given: trimmed, upper case, no whitespace', () => {
    expect(productKey({ model: 'JSQ25-13A', serialNumber: 'sn2024-0318a' })).toBe('SN:SN2024-0318A');
    expect(productKey({ model: 'x', serialNumber: '  ab 12\tcd ' })).toBe('SN:AB12CD');
  });

  test('else the model, normalised the same way', () => {
    expect(productKey({ model: ' jsq25 - 13a ' })).toBe('MODEL:JSQ25-13A');
    expect(productKey({ model: 'JSQ25-13A', serialNumber: '   ' })).toBe('MODEL:JSQ25-13A');
    expect(productKey({ model: '燃气热水器 jsq25' })).toBe('MODEL:燃气热水器JSQ25');
  });

  test('a filter value matches the unit by serial, or the model of requests without one', () => {
    expect(productKeysMatching(' sn2024-0318a ')).toEqual(['SN:SN2024-0318A', 'MODEL:SN2024-0318A']);
    expect(productKeysMatching('jsq25-13a')).toContain(productKey({ model: 'JSQ25-13A' }));
    expect(productKeysMatching('SN2024-0318A')).toContain(productKey({ model: 'JSQ25-13A', serialNumber: 'sn2024-0318a' }));
    expect(productKeysMatching('  ')).toEqual([]);
  });
});
