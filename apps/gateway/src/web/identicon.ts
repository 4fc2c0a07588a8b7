import { createHash } from 'node:crypto';

/**
 * A 5×5 mirrored identicon for an avatar seed, as SVG: made here from a hash, so no
 * outside service learns who reads or writes what.
 */
export function identicon(seed: string, size = 40): string {
  const bytes = createHash('sha256').update(seed).digest();
  const hue = ((bytes[0] ?? 0) * 360) / 256;
  const color = `hsl(${hue.toFixed(0)} 55% 48%)`;
  const cells: string[] = [];
  for (let row = 0; row < 5; row++) {
    for (let col = 0; col < 3; col++) {
      const on = ((bytes[1 + row * 3 + col] ?? 0) & 1) === 1;
      if (!on) continue;
      for (const x of new Set([col, 4 - col]))
        cells.push(`<rect x="${x}" y="${row}" width="1" height="1"/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6" width="${size}" height="${size}" role="img" aria-hidden="true"><rect x="-0.5" y="-0.5" width="6" height="6" fill="#f0f0f0"/><g fill="${color}">${cells.join('')}</g></svg>`;
}
