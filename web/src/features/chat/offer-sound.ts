let context: AudioContext | null = null;

/**
 * A short, soft two-note chime for a new chat: made with an oscillator, no audio file. Browsers
 * only allow sound after the person has interacted with the page; until then it stays silent.
 */
export function playOfferSound(): void {
  chime([660, 880], 0.12);
}

/** One quieter note for a patron's new message while the dashboard is in the background. */
export function playMessageSound(): void {
  chime([740], 0.08);
}

function chime(notes: readonly number[], volume: number): void {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
    const start = context.currentTime + 0.01;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(volume, start + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.5);
    const oscillator = context.createOscillator();
    oscillator.type = 'sine';
    notes.forEach((hz, i) => oscillator.frequency.setValueAtTime(hz, start + i * 0.16));
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.55);
  } catch {
    // No Web Audio here: the badge, the title and the announcement still say it.
  }
}
