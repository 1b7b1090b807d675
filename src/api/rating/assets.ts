/** Static script and stylesheet of the rating page (served from /r/assets/, CSP `'self'`). */

export const RATING_JS = `'use strict';
(function () {
  var form = document.getElementById('rating');
  if (!form) return;
  var msgs = document.getElementById('messages').dataset;
  var captions = [];
  try { captions = JSON.parse(msgs.captions || '[]'); } catch (e) {}
  var caption = document.getElementById('star-caption');
  var error = document.getElementById('form-error');
  var button = document.getElementById('submit');
  function show(id) {
    form.hidden = true;
    document.getElementById('heading').hidden = true;
    document.getElementById(id).hidden = false;
  }
  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    button.disabled = false;
    button.textContent = button.dataset.label;
  }
  button.dataset.label = button.textContent;
  form.addEventListener('change', function (ev) {
    if (ev.target && ev.target.name === 'score') caption.textContent = captions[Number(ev.target.value) - 1] || '';
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var picked = form.querySelector('input[name="score"]:checked');
    if (!picked) return fail(msgs.chooseScore);
    var score = Number(picked.value);
    var comment = document.getElementById('comment').value.trim();
    var body = { score: score, token: form.dataset.token };
    if (comment) body.comment = comment;
    error.hidden = true;
    button.disabled = true;
    button.textContent = button.dataset.sending;
    fetch('/v1/service-requests/' + encodeURIComponent(form.dataset.requestId) + '/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit'
    }).then(function (res) {
      if (res.ok) {
        if (score <= 3) document.getElementById('low-score').hidden = false;
        return show('result-thanks');
      }
      if (res.status === 409) {
        return res.json().then(function (b) {
          if (b && b.error === 'token_used') return show('result-used');
          return fail(msgs.notAwaiting);
        }, function () { fail(msgs.notAwaiting); });
      }
      if (res.status === 410) return show('result-expired');
      fail(msgs.failed);
    }, function () { fail(msgs.failed); });
  });
})();
`;

export const RATING_CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f4f6f8;color:#1f2933}
.card{max-width:480px;margin:0 auto;padding:24px 20px 32px;background:#fff;min-height:100vh}
@media (min-width:520px){.card{margin:32px auto;min-height:0;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}}
h1{font-size:1.4rem;margin:.2em 0 .4em}
h2{font-size:1.25rem}
.lang{text-align:right;margin:0;font-size:.9rem}
.lang a{color:#52606d}
.ticket{color:#52606d;margin-top:0}
fieldset{border:0;padding:0;margin:16px 0}
legend{font-weight:600;margin-bottom:4px}
.star-row{display:flex;flex-direction:row-reverse;justify-content:flex-end;gap:4px}
.star-row input{position:absolute;opacity:0;width:1px;height:1px}
.star-row label{font-size:2.6rem;line-height:1;color:#cbd2d9;cursor:pointer;padding:4px;user-select:none;-webkit-tap-highlight-color:transparent}
.star-row input:checked~label,.star-row label:hover,.star-row label:hover~label{color:#f5a623}
.star-row input:focus-visible+label{outline:2px solid #2680c2;border-radius:4px}
.caption{min-height:1.5em;color:#52606d;margin:4px 0 0}
.comment-label{display:block;font-weight:600;margin-top:8px}
textarea{width:100%;font:inherit;padding:10px;border:1px solid #cbd2d9;border-radius:8px;margin:6px 0 16px;resize:vertical}
button{width:100%;font:inherit;font-weight:600;padding:12px;border:0;border-radius:8px;background:#2680c2;color:#fff;cursor:pointer}
button:disabled{background:#9fb3c8}
.error{color:#ba2525}
.message.thanks{color:#207d3a}
`;
