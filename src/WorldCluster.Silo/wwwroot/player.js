// Paints a session's frames on the canvas, whatever their format (docs/web.md): PNG, JPEG and WebP through
// createImageBitmap, VP8 and VP9 through WebCodecs' VideoDecoder. PNG is exact; the others are lossy.

const IMAGE_TYPES = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };
const VIDEO_CODECS = { vp8: "vp8", vp9: "vp09.00.10.08" };

/** Whether this browser's WebCodecs can decode a codec string (false without WebCodecs). */
export async function canDecode(codec) {
  if (typeof VideoDecoder === "undefined") {
    return false;
  }
  try {
    return (await VideoDecoder.isConfigSupported({ codec })).supported === true;
  } catch {
    return false;
  }
}

/** The format to ask the server for: the one chosen, or PNG (exact) when the browser cannot decode that video. */
export async function chooseFormat(wanted) {
  if (VIDEO_CODECS[wanted] && !(await canDecode(VIDEO_CODECS[wanted]))) {
    return "png";
  }
  return IMAGE_TYPES[wanted] || VIDEO_CODECS[wanted] ? wanted : "png";
}

/**
 * A painter for one session's frames: `paint(header, payload)` per frame message, `close()` at the end. `events`
 * gets drawn(tick) for each frame on the canvas and error(text) when one cannot be shown.
 */
export function createPainter(canvas, format, codec, events) {
  return IMAGE_TYPES[format] ? imagePainter(canvas, IMAGE_TYPES[format], events) : videoPainter(canvas, codec, events);
}

function show(canvas, image, width, height) {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = false;
  context.drawImage(image, 0, 0);
}

function imagePainter(canvas, type, events) {
  let seq = 0;
  let drawnSeq = 0;
  let closed = false;
  return {
    paint(header, payload) {
      const mine = ++seq;
      createImageBitmap(new Blob([payload], { type })).then(
        (bitmap) => {
          // Decodes may finish out of order; never draw an older frame over a newer one.
          if (closed || mine < drawnSeq) {
            bitmap.close();
            return;
          }
          drawnSeq = mine;
          show(canvas, bitmap, header.width, header.height);
          bitmap.close();
          events.drawn(header.tick);
        },
        (e) => events.error(`frame ${header.tick} could not be decoded: ${e.message}`),
      );
    },
    close() {
      closed = true;
    },
  };
}

// Each chunk's timestamp is its tick, so the frame the decoder hands back says which tick it shows. After a decoder
// error (or before the first frame) only a keyframe starts it again; the server sends one to every joining viewer.
function videoPainter(canvas, codec, events) {
  let decoder = null;
  let closed = false;
  const start = () => {
    decoder = new VideoDecoder({
      output: (frame) => {
        const tick = frame.timestamp;
        if (!closed) {
          show(canvas, frame, frame.displayWidth, frame.displayHeight);
        }
        frame.close();
        if (!closed) {
          events.drawn(tick);
        }
      },
      error: (e) => {
        events.error(`the ${codec} decoder failed: ${e.message}`);
        decoder = null;
      },
    });
    decoder.configure({ codec, optimizeForLatency: true });
  };
  return {
    paint(header, payload) {
      if (closed) {
        return;
      }
      if (decoder === null || decoder.state === "closed") {
        if (!header.keyframe) {
          return;
        }
        start();
      }
      decoder.decode(new EncodedVideoChunk({ type: header.keyframe ? "key" : "delta", timestamp: header.tick, data: payload }));
    },
    close() {
      closed = true;
      if (decoder !== null && decoder.state !== "closed") {
        decoder.close();
      }
    },
  };
}
