/**
 * The widget's own styles, inside its shadow root so library CSS cannot reach it. Colours pass
 * WCAG AA in light and dark schemes; a library sets its colour with --branchline-accent (and
 * --branchline-accent-text if white text does not suit it).
 */
export const css = `
:host{all:initial;display:block}
:host([hidden]){display:none}
.bl{font:400 max(16px,1rem)/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
-webkit-text-size-adjust:100%;color:var(--fg);overflow-wrap:anywhere;
--accent:var(--branchline-accent,#1d4ed8);--accent-fg:var(--branchline-accent-text,#fff);
--bg:#fff;--fg:#1b1b1f;--muted:#4b4b57;--line:#6b6b78;--soft:#eef0f5;--link:#1a4b9c;--err:#b3261e;--focus:#1a4b9c}
@media (prefers-color-scheme:dark){.bl{--bg:#18181c;--fg:#f1f1f4;--muted:#c3c3cc;--line:#9a9aa6;--soft:#2a2a31;
--link:#a8c7ff;--err:#ffb4ab;--focus:#a8c7ff}}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap;border:0}
p{margin:0}
h2{font-size:1.25em;line-height:1.3;margin:0}
h3{font-size:1.125em;line-height:1.3;margin:0}
a{color:var(--link)}
button,input,textarea{font:inherit;line-height:1.5;color:inherit;margin:0}
button{min-height:44px;min-width:44px;padding:.5em 1em;border:2px solid transparent;border-radius:8px;
background:none;cursor:pointer;text-align:center}
button[aria-disabled=true]{cursor:progress}
.primary,.launcher{background:var(--accent);color:var(--accent-fg);font-weight:600}
.secondary{background:var(--bg);color:var(--fg);border-color:var(--line)}
.link{color:var(--link);text-decoration:underline;padding:.5em .125em;text-align:start}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
h2:focus,h3:focus,.done:focus{outline-offset:4px}
.patron :focus-visible{outline-color:var(--accent-fg)}
.launcher:focus-visible{box-shadow:0 0 0 2px #fff,0 2px 10px rgba(0,0,0,.35)}
.launcher{position:fixed;right:max(16px,env(safe-area-inset-right));bottom:max(16px,env(safe-area-inset-bottom));
z-index:2147483000;display:inline-flex;align-items:center;gap:.5em;padding:.625em 1.25em;border-radius:999px;
box-shadow:0 2px 10px rgba(0,0,0,.35);max-width:calc(100vw - 32px)}
svg{width:1.5em;height:1.5em;flex:none}
.launcher svg{fill:currentColor}
.icon{padding:0;color:var(--fg)}
.icon svg{fill:none;stroke:currentColor;stroke-width:2.5;vertical-align:middle}
.panel{background:var(--bg);color:var(--fg);display:flex;flex-direction:column;gap:.5em;padding:1em}
.mode-launcher .panel{position:fixed;right:16px;bottom:88px;z-index:2147483001;width:min(440px,calc(100vw - 32px));
height:min(680px,calc(100vh - 112px));overflow:auto;border:1px solid var(--line);border-radius:12px;
box-shadow:0 8px 32px rgba(0,0,0,.35)}
@media (max-width:480px),(max-height:560px){.mode-launcher .panel{inset:0;width:auto;height:auto;border:0;
border-radius:0}.launcher[aria-expanded=true]{display:none}}
.mode-page .panel{border:1px solid var(--line);border-radius:12px;height:min(80vh,760px);min-height:24em;overflow:auto}
.head{display:flex;align-items:flex-start;gap:.25em}
.titles{flex:1;min-width:0}
.sub,.intro,.hint,.count,.typing{color:var(--muted)}
.status{font-weight:600}
.notice{border-left:4px solid var(--err);padding:.25em .75em}
.notice:empty,.status:empty{border:0;padding:0;margin-top:-.5em}
.body,.chat{display:flex;flex-direction:column;gap:.75em;flex:1 1 auto;min-height:0}
.log{flex:1 1 auto;min-height:8em;overflow-y:auto;display:flex;flex-direction:column;gap:.5em;padding:.25em}
.msg{max-width:88%;padding:.5em .75em;border-radius:12px;overflow-wrap:anywhere}
.text{white-space:pre-wrap}
.who{font-weight:600}
.staff{align-self:flex-start;background:var(--soft)}
.patron{align-self:flex-end;background:var(--accent);color:var(--accent-fg)}
.patron a,.patron .retry{color:inherit}
.system{align-self:center;max-width:100%;color:var(--muted);font-style:italic;text-align:center;padding:0 .5em}
.meta .retry{padding:.25em .5em}
.typing{font-style:italic}
.field{display:flex;flex-direction:column;gap:.25em}
label,legend{font-weight:600}
input[type=text],input[type=email],textarea{width:100%;min-height:44px;padding:.5em .75em;border:2px solid var(--line);
border-radius:8px;background:var(--bg);color:var(--fg)}
textarea{resize:vertical}
[aria-invalid=true]{border-color:var(--err)}
.error,.count.over{color:var(--err);font-weight:600}
.compose,.tools,.ended,.question,.box,#bl-missed,#bl-unavailable{display:flex;flex-direction:column;gap:.5em}
#bl-identify-save,#bl-rating-submit,#bl-transcript-submit,#bl-question-submit{align-self:flex-end}
.row{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;justify-content:space-between}
.notes{flex:1 1 12em}
#bl-send{margin-left:auto}
.confirm,.box{border:1px solid var(--line);border-radius:8px;padding:.75em}
.confirm{display:flex;flex-direction:column;gap:.5em}
fieldset{border:0;padding:0;margin:0;min-width:0}
legend{padding:0;margin-bottom:.25em}
.choices{display:flex;flex-direction:column}
.choice{display:flex;align-items:center;gap:.75em;min-height:44px;font-weight:400;cursor:pointer}
.choice input{width:24px;height:24px;margin:0;flex:none;accent-color:var(--accent)}
.done{font-weight:600}
@media (prefers-reduced-motion:no-preference){.mode-launcher .panel{animation:bl-in .15s ease-out}}
@keyframes bl-in{from{opacity:0;transform:translateY(8px)}}
@media (forced-colors:active){.msg,.launcher,.primary{border:1px solid CanvasText}}
`;
