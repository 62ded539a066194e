// Copy buttons: <button data-copy="#id">Copy</button> copies the text of the element named.
// Without JavaScript the secret is still on the page to select by hand.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  const source = document.querySelector(button.getAttribute('data-copy'));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(
    () => {
      button.textContent = 'Copied';
    },
    () => {
      button.textContent = 'Select the text to copy it';
    },
  );
});
// Buttons that must be confirmed: <button data-confirm="Revoke this token?">.
document.addEventListener('submit', (event) => {
  const button = event.submitter;
  const message = button?.getAttribute('data-confirm');
  if (message && !window.confirm(message)) event.preventDefault();
});
// A file chosen in <input type="file" data-file-into="#id"> fills that textarea (SAML metadata).
// Without JavaScript the textarea takes the pasted XML instead.
document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-file-into')) return;
  const target = document.querySelector(input.getAttribute('data-file-into'));
  const file = input.files?.[0];
  if (!target || !file) return;
  if (file.size > 1024 * 1024) {
    target.value = '';
    input.setCustomValidity('The file is larger than 1 MiB: is it the metadata?');
    input.reportValidity();
    return;
  }
  input.setCustomValidity('');
  file.text().then((text) => {
    target.value = text;
  });
});
