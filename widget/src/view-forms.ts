import { MAX_MESSAGE_CHARS, checkMessage, looksLikeEmail } from './contract.ts';
import { button, field, fieldError, h, setText, show } from './dom.ts';
import { type Lang, t } from './messages.ts';
import type { ViewActions, ViewModel } from './view-model.ts';

const COUNTER_FROM = MAX_MESSAGE_CHARS - 400;

/** Runs an async submit once at a time; the button stays focusable while busy. */
async function busy(submit: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
  if (submit.getAttribute('aria-disabled') === 'true') return;
  submit.setAttribute('aria-disabled', 'true');
  try {
    await run();
  } finally {
    submit.removeAttribute('aria-disabled');
  }
}

function onSubmit(form: HTMLFormElement, run: () => void): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
}

function problemText(lang: Lang, problem: string): string {
  if (problem === 'empty') return t(lang, 'errorEmpty');
  if (problem === 'too_long') return t(lang, 'errorTooLong', { max: MAX_MESSAGE_CHARS.toLocaleString(lang) });
  return t(lang, 'errorTooBig');
}

/** The message box: Enter sends, Shift+Enter breaks the line, a counter near the limit. */
export function composeForm(lang: Lang, actions: ViewActions) {
  const input = h('textarea', { name: 'message', rows: '2', autocomplete: 'off' });
  const f = field('bl-input', t(lang, 'messageLabel'), input);
  const hint = h('p', { id: 'bl-input-hint', class: 'hint' }, t(lang, 'messageHint'));
  const count = h('p', { id: 'bl-input-count', class: 'count', hidden: true });
  input.setAttribute('aria-describedby', 'bl-input-error bl-input-count bl-input-hint');
  const send = h('button', { type: 'submit', id: 'bl-send', class: 'primary' }, t(lang, 'send'));
  const form = h(
    'form',
    { id: 'bl-compose', class: 'compose', novalidate: true },
    f.wrap,
    h('div', { class: 'row' }, h('div', { class: 'notes' }, count, hint), send),
  );

  const refresh = (): void => {
    const left = MAX_MESSAGE_CHARS - input.value.length;
    show(count, input.value.length >= COUNTER_FROM);
    count.classList.toggle('over', left < 0);
    setText(count, left >= 0 ? t(lang, 'charsLeft', { n: left }) : t(lang, 'charsOver', { n: -left }));
    if (!f.error.hidden && checkMessage(input.value) === null) fieldError(f, '');
  };
  const submit = (): void => {
    const problem = actions.send(input.value);
    if (problem !== null) return fieldError(f, problemText(lang, problem));
    input.value = '';
    refresh();
    fieldError(f, '');
  };
  input.addEventListener('input', () => {
    refresh();
    actions.typed(input.value.trim() !== '');
  });
  input.addEventListener('keydown', (event) => {
    // keyCode 229: Safari reports the Enter that ends an IME composition this way.
    const composing = event.isComposing || event.keyCode === 229;
    if (event.key !== 'Enter' || event.shiftKey || composing || event.altKey || event.ctrlKey) return;
    event.preventDefault();
    submit();
  });
  onSubmit(form, submit);
  return { el: form, input, refresh };
}

/** "Add your name or email (optional)" and "End chat" with its inline confirmation. */
export function chatTools(lang: Lang, actions: ViewActions) {
  const toggle = button('bl-identify-toggle', t(lang, 'identifyToggle'), {
    class: 'link',
    'aria-expanded': 'false',
    'aria-controls': 'bl-identify',
  });
  const end = button('bl-end', t(lang, 'endChat'), { class: 'secondary' });
  const yes = button('bl-end-yes', t(lang, 'endYes'), { class: 'primary' });
  const no = button('bl-end-no', t(lang, 'endNo'), { class: 'secondary' });
  const endError = h('p', { id: 'bl-end-error', class: 'error', hidden: true });
  const confirm = h(
    'div',
    { id: 'bl-end-confirm', class: 'confirm', role: 'group', 'aria-labelledby': 'bl-end-question', hidden: true },
    h('p', { id: 'bl-end-question' }, t(lang, 'endConfirm')),
    h('div', { class: 'row' }, yes, no),
    endError,
  );
  const name = field(
    'bl-name',
    t(lang, 'nameLabel'),
    h('input', { type: 'text', autocomplete: 'name', maxlength: '120' }),
  );
  const email = field('bl-email', t(lang, 'emailOptionalLabel'), h('input', { type: 'email', autocomplete: 'email' }));
  const save = h('button', { type: 'submit', id: 'bl-identify-save', class: 'primary' }, t(lang, 'save'));
  const identifyError = h('p', { id: 'bl-identify-error', class: 'error', hidden: true });
  const identify = h(
    'form',
    { id: 'bl-identify', class: 'box', novalidate: true, hidden: true },
    name.wrap,
    email.wrap,
    identifyError,
    save,
  );
  const done = h(
    'p',
    { id: 'bl-identify-done', class: 'done', tabindex: '-1', hidden: true },
    t(lang, 'identifySaved'),
  );
  const el = h(
    'div',
    { id: 'bl-tools', class: 'tools' },
    h('div', { class: 'row' }, toggle, end),
    confirm,
    identify,
    done,
  );

  toggle.addEventListener('click', () => {
    const open = identify.hidden;
    show(identify, open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) name.control.focus();
  });
  end.addEventListener('click', () => {
    show(confirm, true);
    yes.focus();
  });
  no.addEventListener('click', () => {
    show(confirm, false);
    end.focus();
  });
  yes.addEventListener(
    'click',
    () =>
      void busy(yes, async () => {
        const error = await actions.end();
        setText(endError, error);
        show(endError, error !== '');
      }),
  );
  onSubmit(identify, () => {
    const nameValue = name.control.value.trim();
    const emailValue = email.control.value.trim();
    fieldError(email, emailValue && !looksLikeEmail(emailValue) ? t(lang, 'emailInvalid') : '');
    setText(identifyError, nameValue || emailValue ? '' : t(lang, 'identifyNeedOne'));
    show(identifyError, identifyError.textContent !== '');
    if (!email.error.hidden || !identifyError.hidden) return;
    void busy(save, async () => {
      const error = await actions.identify(nameValue, emailValue);
      setText(identifyError, error);
      show(identifyError, error !== '');
      if (error) return;
      show(identify, false);
      show(toggle, false);
      show(done, true);
      done.focus();
    });
  });
  return { el };
}

/** After the chat: rating, transcript by email, a new chat; or the offer to leave the question. */
export function endedSection(lang: Lang, actions: ViewActions) {
  const title = h('h3', { id: 'bl-ended-title', tabindex: '-1' }, t(lang, 'endedHeading'));
  const askInstead = button('bl-ask-instead', t(lang, 'askInstead'), { class: 'primary' });
  const missed = h('div', { id: 'bl-missed', hidden: true }, h('p', {}, t(lang, 'missed')), askInstead);
  const choices = [1, 2, 3, 4, 5].map((n) =>
    h(
      'label',
      { class: 'choice', for: `bl-score-${n}` },
      h('input', { type: 'radio', name: 'score', value: String(n), id: `bl-score-${n}` }),
      h('span', {}, t(lang, `rating${n}` as 'rating1')),
    ),
  );
  const ratingError = h('p', { id: 'bl-rating-error', class: 'error', hidden: true });
  const scale = h(
    'fieldset',
    { class: 'scale', 'aria-describedby': 'bl-rating-error' },
    h('legend', {}, t(lang, 'ratingLegend')),
    h('div', { class: 'choices' }, ...choices),
  );
  const comment = field('bl-rating-comment', t(lang, 'ratingComment'), h('textarea', { rows: '2', maxlength: '1000' }));
  const rateButton = h('button', { type: 'submit', id: 'bl-rating-submit', class: 'primary' }, t(lang, 'ratingSubmit'));
  const rating = h(
    'form',
    { id: 'bl-rating', class: 'box', novalidate: true },
    scale,
    comment.wrap,
    ratingError,
    rateButton,
  );
  const ratingDone = h(
    'p',
    { id: 'bl-rating-done', class: 'done', tabindex: '-1', hidden: true },
    t(lang, 'ratingThanks'),
  );
  const email = field(
    'bl-transcript-email',
    t(lang, 'transcriptEmail'),
    h('input', { type: 'email', autocomplete: 'email' }),
  );
  const sendTranscript = h(
    'button',
    { type: 'submit', id: 'bl-transcript-submit', class: 'secondary' },
    t(lang, 'transcriptSubmit'),
  );
  const transcript = h('form', { id: 'bl-transcript', class: 'box', novalidate: true }, email.wrap, sendTranscript);
  const transcriptDone = h(
    'p',
    { id: 'bl-transcript-done', class: 'done', tabindex: '-1', hidden: true },
    t(lang, 'transcriptSent'),
  );
  const saveCopy = button('bl-save-copy', t(lang, 'saveCopy'), { class: 'secondary' });
  const newChat = button('bl-new-chat', t(lang, 'newChat'), { class: 'primary' });
  const el = h(
    'section',
    { id: 'bl-ended', class: 'ended', 'aria-labelledby': 'bl-ended-title', hidden: true },
    title,
    missed,
    rating,
    ratingDone,
    transcript,
    transcriptDone,
    h('p', {}, saveCopy),
    newChat,
  );
  let rated = false;
  let emailed = false;

  askInstead.addEventListener('click', () => actions.askInstead());
  newChat.addEventListener('click', () => actions.newChat());
  saveCopy.addEventListener('click', () => actions.saveCopy());
  onSubmit(rating, () => {
    const picked = rating.querySelector<HTMLInputElement>('input[name="score"]:checked');
    setText(ratingError, picked ? '' : t(lang, 'ratingPick'));
    show(ratingError, !picked);
    if (!picked) return choices[0]?.querySelector('input')?.focus();
    void busy(rateButton, async () => {
      const error = await actions.rate(Number(picked.value), comment.control.value.trim());
      setText(ratingError, error);
      show(ratingError, error !== '');
      if (error) return;
      rated = true;
      render(null);
      ratingDone.focus();
    });
  });
  onSubmit(transcript, () => {
    const value = email.control.value.trim();
    fieldError(email, looksLikeEmail(value) ? '' : t(lang, 'emailInvalid'));
    if (!email.error.hidden) return email.control.focus();
    void busy(sendTranscript, async () => {
      const error = await actions.transcript(value);
      fieldError(email, error);
      if (error) return;
      emailed = true;
      render(null);
      transcriptDone.focus();
    });
  });

  let last: ViewModel | null = null;
  function render(model: ViewModel | null): void {
    if (model) last = model;
    if (!last) return;
    const expired = last.phase === 'expired';
    setText(title, expired ? t(lang, 'expired') : t(lang, 'endedHeading'));
    show(missed, last.missed && !expired);
    const isRated = rated || last.rated;
    show(rating, !isRated && !expired);
    show(ratingDone, isRated && !expired);
    const isEmailed = emailed || last.transcriptRequested;
    show(transcript, !isEmailed && !expired);
    show(transcriptDone, isEmailed && !expired);
    show(
      saveCopy,
      last.items.some((item) => item.from !== 'system'),
    );
  }
  return { el, title, render };
}

/** Outside hours, or when the desk suggests it: leave the question and get an answer by email. */
export function questionSection(lang: Lang, actions: ViewActions) {
  const title = h('h3', { id: 'bl-question-title', tabindex: '-1' }, t(lang, 'questionHeading'));
  const reason = h('p', { id: 'bl-question-reason' });
  const intro = h('p', { id: 'bl-question-intro' }, t(lang, 'questionIntro'));
  const email = field(
    'bl-q-email',
    t(lang, 'emailRequiredLabel'),
    h('input', { type: 'email', autocomplete: 'email', required: true, 'aria-required': 'true' }),
  );
  const name = field(
    'bl-q-name',
    t(lang, 'nameLabel'),
    h('input', { type: 'text', autocomplete: 'name', maxlength: '120' }),
  );
  const message = field(
    'bl-q-message',
    t(lang, 'questionLabel'),
    h('textarea', { rows: '4', required: true, 'aria-required': 'true' }),
  );
  const formError = h('p', { id: 'bl-question-error', class: 'error', hidden: true });
  const submit = h('button', { type: 'submit', id: 'bl-question-submit', class: 'primary' }, t(lang, 'questionSend'));
  const form = h(
    'form',
    { id: 'bl-question', class: 'box', novalidate: true },
    email.wrap,
    name.wrap,
    message.wrap,
    formError,
    submit,
  );
  const done = h('p', { id: 'bl-question-done', class: 'done', tabindex: '-1', hidden: true }, t(lang, 'questionSent'));
  const chatInstead = button('bl-chat-instead', t(lang, 'chatInstead'), { class: 'secondary', hidden: true });
  const el = h(
    'section',
    { id: 'bl-question-screen', class: 'question', 'aria-labelledby': 'bl-question-title', hidden: true },
    title,
    reason,
    intro,
    form,
    done,
    chatInstead,
  );

  chatInstead.addEventListener('click', () => actions.chatInstead());
  onSubmit(form, () => {
    const emailValue = email.control.value.trim();
    const problem = checkMessage(message.control.value);
    fieldError(email, looksLikeEmail(emailValue) ? '' : t(lang, 'emailInvalid'));
    fieldError(message, problem === null ? '' : problemText(lang, problem));
    const invalid = [email, message].find((f) => !f.error.hidden);
    if (invalid) return invalid.control.focus();
    void busy(submit, async () => {
      const error = await actions.leaveQuestion(emailValue, name.control.value.trim(), message.control.value);
      setText(formError, error);
      show(formError, error !== '');
      if (!error) done.focus();
    });
  });

  function render(model: ViewModel): void {
    setText(reason, model.questionReason);
    show(reason, model.questionReason !== '');
    show(form, !model.questionSent);
    show(done, model.questionSent);
    show(chatInstead, model.canChatInstead && !model.questionSent);
  }
  function prefill(text: string): void {
    if (!message.control.value) message.control.value = text;
  }
  return { el, title, firstField: email.control, render, prefill };
}
