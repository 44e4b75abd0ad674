// Finds the viewer's own avatar in a drawn frame so the page can mark it "you" (docs/web.md). The reference world and
// the learned world both draw slot n's avatar in its own colour; the frame is searched for that colour rather than
// asked of the server, so the marker works for any frame format and follows whatever the model drew.

// Per channel: lossy codecs shift colours a little, the other slot colours and the tiles differ by far more.
const TOLERANCE = 40;

/** The centre of the pixels in `hex` colour on `canvas` as fractions of its size, or null when none is drawn. */
export function findColour(canvas, hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const { width, height } = canvas;
  if (!width || !height) {
    return null;
  }
  const pixels = canvas.getContext("2d", { willReadFrequently: true }).getImageData(0, 0, width, height).data;
  let count = 0, sumX = 0, sumY = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (Math.abs(pixels[i] - r) <= TOLERANCE && Math.abs(pixels[i + 1] - g) <= TOLERANCE && Math.abs(pixels[i + 2] - b) <= TOLERANCE) {
      const p = i / 4;
      count++;
      sumX += p % width;
      sumY += Math.floor(p / width);
    }
  }
  return count === 0 ? null : { x: (sumX / count + 0.5) / width, y: (sumY / count + 0.5) / height };
}
