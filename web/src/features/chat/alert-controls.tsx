import { useState } from 'react';
import { consoleSettings, useConsoleSettings } from './console-settings.ts';
import { playOfferSound } from './offer-sound.ts';

function permission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** The sound on or off (remembered), and desktop notifications only when the person asks for them. */
export function AlertControls() {
  const settings = useConsoleSettings();
  const [allowed, setAllowed] = useState(permission);

  async function enableNotifications() {
    if (allowed === 'unsupported') return;
    const answer = await Notification.requestPermission();
    setAllowed(answer);
    consoleSettings.setWantsNotifications(answer === 'granted');
  }

  return (
    <div className="alert-controls">
      <div className="field field--checkbox">
        <input
          id="chat-sound"
          type="checkbox"
          checked={!settings.isMuted}
          onChange={(event) => {
            consoleSettings.setMuted(!event.target.checked);
            if (event.target.checked) playOfferSound();
          }}
        />
        <label htmlFor="chat-sound" className="field__label">
          Sound for new chats and messages
        </label>
      </div>
      {allowed === 'unsupported' ? null : settings.wantsNotifications && allowed === 'granted' ? (
        <button
          type="button"
          className="button button--small"
          onClick={() => consoleSettings.setWantsNotifications(false)}
        >
          Turn off desktop notifications
        </button>
      ) : allowed === 'denied' ? (
        <p className="field__hint">Desktop notifications are blocked in this browser’s site settings.</p>
      ) : (
        <button type="button" className="button button--small" onClick={() => void enableNotifications()}>
          Enable desktop notifications
        </button>
      )}
    </div>
  );
}
