/**
 * The status page's operator panel script, included (and allowed by its hash in the page's CSP)
 * only when the status handler is given a `controlUrl`.
 *
 * The operator types the control token into a password field; it lives in this script's memory
 * only for the request (never in storage, a cookie or the URL) and is sent as
 * `authorization: Bearer …` with a JSON body to the control handler on the same origin. Clicking
 * a circuit's row fills in its name; the name field suggests the circuits on the page. The form
 * never submits by navigation (`form-action 'none'` in the CSP): the script posts with `fetch`.
 * Written without template-literal placeholders and backslashes, like status-script.ts.
 */

/** The panel's script (plain ES2020, no dependencies). */
export const STATUS_CONTROL_SCRIPT = `
(() => {
  'use strict';
  const form = document.getElementById('control');
  const circuit = document.getElementById('ctl-circuit');
  const action = document.getElementById('ctl-action');
  const token = document.getElementById('ctl-token');
  const result = document.getElementById('ctl-result');
  const names = document.getElementById('ctl-names');
  const endpoint = new URL(form.dataset.controlUrl, location.href);

  document.getElementById('circuits').addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-circuit]');
    if (tr) circuit.value = tr.dataset.circuit;
  });
  circuit.addEventListener('focus', () => {
    const options = [];
    for (const tr of document.querySelectorAll('#circuits tbody tr[data-circuit]')) {
      const option = document.createElement('option');
      option.value = tr.dataset.circuit;
      options.push(option);
    }
    names.replaceChildren(...options);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.textContent = 'sending…';
    result.className = '';
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        cache: 'no-store',
        credentials: 'omit',
        headers: { authorization: 'Bearer ' + token.value, 'content-type': 'application/json' },
        body: JSON.stringify({ circuit: circuit.value, action: action.value }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error((body && body.error) || 'HTTP ' + res.status);
      result.textContent = circuit.value + ' is now ' + body.state;
      result.className = 'ok';
    } catch (error) {
      result.textContent = 'refused: ' + (error && error.message);
      result.className = 'err';
    }
  });
})();
`;
