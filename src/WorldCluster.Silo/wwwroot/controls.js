// The on-screen pad (hold to repeat, for touch and mouse) and fullscreen.

/**
 * Makes the pad's buttons act: a press acts at once and, held, again every `repeatMs()` milliseconds until released.
 * `onAction(name)` receives the button's `data-action-name`. A keyboard click (Enter or Space on a focused button) acts once.
 */
export function bindPad(pad, onAction, repeatMs) {
  let timer = null;
  let held = null;
  const stop = () => {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    held?.classList.remove("held");
    held = null;
  };
  pad.addEventListener("pointerdown", (event) => {
    const button = event.target.closest("button[data-action-name]");
    if (!button || button.disabled || event.button > 0) {
      return;
    }
    // No focus change, text selection or scrolling under a thumb; the pointer stays with the button while held.
    event.preventDefault();
    stop();
    held = button;
    button.classList.add("held");
    button.setPointerCapture?.(event.pointerId);
    onAction(button.dataset.actionName);
    timer = setInterval(() => {
      if (button.disabled) {
        stop();
      } else {
        onAction(button.dataset.actionName);
      }
    }, repeatMs());
  });
  for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
    pad.addEventListener(type, stop);
  }
  pad.addEventListener("contextmenu", (event) => event.preventDefault());
  pad.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action-name]");
    // Pointer presses acted on pointerdown; detail 0 is a click from the keyboard.
    if (button && event.detail === 0) {
      onAction(button.dataset.actionName);
    }
  });
  return stop;
}

/** Shows `element` fullscreen, or leaves fullscreen; resolves to whether the page is fullscreen after. */
export async function toggleFullscreen(element) {
  if (document.fullscreenElement) {
    await document.exitFullscreen();
    return false;
  }
  if (!element.requestFullscreen) {
    return false;
  }
  await element.requestFullscreen({ navigationUI: "hide" });
  return true;
}
