import { nextReadSize, READ_MAX, READ_MIN } from '../../gateway/transport/quinn-connection';

describe('QUIC read size adapts to the traffic', () => {
  it('doubles after a full read, up to READ_MAX', () => {
    expect(nextReadSize(READ_MIN, READ_MIN)).toBe(READ_MIN * 2);
    let size = READ_MIN;
    for (let i = 0; i < 20; i++) size = nextReadSize(size, size);
    expect(size).toBe(READ_MAX);
  });

  it('halves after a read under a quarter full, down to READ_MIN', () => {
    expect(nextReadSize(READ_MAX, 200)).toBe(READ_MAX / 2);
    let size = READ_MAX;
    for (let i = 0; i < 20; i++) size = nextReadSize(size, 200);
    expect(size).toBe(READ_MIN);
  });

  it('keeps the size when a read is between a quarter and full', () => {
    expect(nextReadSize(64 * 1024, 20 * 1024)).toBe(64 * 1024);
    expect(nextReadSize(64 * 1024, 64 * 1024 - 1)).toBe(64 * 1024);
  });
});
