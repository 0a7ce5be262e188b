let context: AudioContext | null = null;

/**
 * A short, soft two-note chime for a new chat: made with an oscillator, no audio file. Browsers
 * only allow sound after the person has interacted with the page; until then it stays silent.
 */
export function playOfferSound(): void {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
    const start = context.currentTime + 0.01;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.12, start + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.5);
    const oscillator = context.createOscillator();
    oscillator.type = 'sine';
    oscillator.frequency.setValueAtTime(660, start);
    oscillator.frequency.setValueAtTime(880, start + 0.16);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.55);
  } catch {
    // No Web Audio here: the badge, the title and the announcement still say it.
  }
}
