import { sparklinePaths } from './Sparkline';

describe('sparklinePaths', () => {
  it('scales to the width and to the series own range, lowest at the bottom', () => {
    const [path] = sparklinePaths([0, 10, 20], [0.5, 0.6, 0.7], 104, 54);
    expect(path).toBe('M2.0,52.0 L52.0,27.0 L102.0,2.0');
  });

  it('breaks the line where a value is missing', () => {
    const paths = sparklinePaths([0, 1, 2, 3, 4], [0.1, 0.2, null, 0.3, 0.4], 100, 50);
    expect(paths).toHaveLength(2);
    expect(paths.every((p) => p.startsWith('M') && p.includes('L'))).toBe(true);
  });

  it('draws a flat series in the middle, a lone point as a dash, nothing for no values', () => {
    expect(sparklinePaths([0, 10], [0, 0], 100, 40)).toEqual(['M2.0,20.0 L98.0,20.0']);
    expect(sparklinePaths([5], [0.3], 100, 40)).toEqual(['M50.0,20.0 h1']);
    expect(sparklinePaths([0, 1], [null, null], 100, 40)).toEqual([]);
    expect(sparklinePaths([], [], 100, 40)).toEqual([]);
  });
});
