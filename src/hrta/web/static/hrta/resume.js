/* A private resume link carries its code after "#" (/resume/#ABCD-…): browsers never send
   that part, so the code reaches no server or proxy log. Here it moves into the form, out
   of the address bar and the history, and the form is sent (a POST, not a logged URL). */
(function () {
  "use strict";
  var form = document.getElementById("resume-form");
  var input = document.getElementById("code");
  var code = window.location.hash.slice(1);
  if (!form || !input || !code) { return; }
  try {
    code = decodeURIComponent(code);
  } catch (error) {
    return; /* not a code we made: leave the form for the respondent to fill in */
  }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  input.value = code;
  form.submit();
}());
