// allauth's passkey ceremonies (static mfa/js/webauthn.js) report a failure as an "allauth.error" event: say so on
// the page (in #passkey-error) instead of only in the console.
document.addEventListener("allauth.error", (event) => {
  const box = document.getElementById("passkey-error");
  if (!box) return;
  event.preventDefault();
  box.textContent =
    "No passkey was used: it was cancelled, or this device has none for this site. Try again, or use another way.";
  box.hidden = false;
});
