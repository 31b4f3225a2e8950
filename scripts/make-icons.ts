/**
 * Draws the app icons into appPackage/: `color.png` (192x192, full colour) and
 * `outline.png` (32x32, white on transparent). The motif is the "meent" itself: common land
 * under an open sky, a field rising over a ditch of water, as in a polder landscape.
 * Deterministic: the same script always writes the same bytes.
 *
 *   npx tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Rgba = readonly [number, number, number, number];

/** A picture in unit coordinates (0..1, y down): the colour at a point, or null for nothing. */
type Picture = (x: number, y: number) => Rgba | null;

const SAMPLES = 4; // 4x4 samples per pixel for smooth edges

/** Render `picture` at `size`x`size`, averaging SAMPLES² points per pixel (premultiplied). */
function render(picture: Picture, size: number): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = picture((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      const n = SAMPLES * SAMPLES;
      png.data[i + 3] = Math.round((a / n) * 255);
      // Un-premultiply; fully transparent pixels are written as transparent white.
      png.data[i] = a === 0 ? 255 : Math.round(r / a);
      png.data[i + 1] = a === 0 ? 255 : Math.round(g / a);
      png.data[i + 2] = a === 0 ? 255 : Math.round(b / a);
    }
  }
  return png;
}

const hex = (h: string, alpha = 255): Rgba => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), alpha];

const mix = (a: Rgba, b: Rgba, t: number): Rgba => {
  const at = (k: 0 | 1 | 2 | 3) => Math.round(a[k] * (1 - t) + b[k] * t);
  return [at(0), at(1), at(2), at(3)];
};

const bump = (x: number, centre: number, width: number) => Math.exp(-(((x - centre) / width) ** 2));
/** The skyline of the far field, the near field, and the water's surface (y of each at x). */
const farField = (x: number) => 0.58 - 0.14 * bump(x, 0.28, 0.26);
const nearField = (x: number) => 0.7 - 0.13 * bump(x, 0.78, 0.3);
const water = (x: number) => 0.8 + 0.018 * Math.sin(x * Math.PI * 6);

const colour: Picture = (x, y) => {
  if (y > water(x)) return hex('#2B7BB9');
  if (y > nearField(x)) return hex('#2E7D4F');
  if (y > farField(x)) return hex('#7CC36E');
  if ((x - 0.72) ** 2 + (y - 0.27) ** 2 < 0.1 ** 2) return hex('#F6C945');
  const t = Math.min(1, Math.max(0, y / 0.6)); // the sky lightens towards the horizon
  return mix(hex('#8FCBEF'), hex('#E4F3FB'), t);
};

const WHITE: Rgba = [255, 255, 255, 255];

/** The same landscape as a white silhouette: both fields as one shape, a gap, the water line. */
const outline: Picture = (x, y) => {
  if (x < 0.06 || x > 0.94) return null;
  const fields = Math.min(farField(x), nearField(x));
  if (y > fields && y < 0.74) return WHITE;
  const surface = water(x) + 0.04;
  if (y > surface && y < surface + 0.1) return WHITE;
  if ((x - 0.74) ** 2 + (y - 0.26) ** 2 < 0.11 ** 2) return WHITE;
  return null;
};

const appPackage = fileURLToPath(new URL('../appPackage/', import.meta.url));
writeFileSync(`${appPackage}color.png`, PNG.sync.write(render(colour, 192)));
writeFileSync(`${appPackage}outline.png`, PNG.sync.write(render(outline, 32)));
console.log(`Wrote ${appPackage}color.png (192x192) and ${appPackage}outline.png (32x32).`);
