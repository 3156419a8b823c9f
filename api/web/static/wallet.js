/* greenproof dashboard: sign a firm-held account's authorisations with the browser's wallet (EIP-1193
   window.ethereum, eth_signTypedData_v4), filling in the signature fields; without a wallet the
   fields take pasted signatures. The documents are embedded by the server as JSON; nothing is sent
   anywhere but to the wallet, and the form is submitted by the user. */
(function () {
  "use strict";
  var button = document.getElementById("wallet-sign");
  var dataNode = document.getElementById("typed-data");
  if (!button || !dataNode) { return; }
  var status = document.getElementById("wallet-status");
  if (!window.ethereum || typeof window.ethereum.request !== "function") {
    document.getElementById("wallet-missing").hidden = false;
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async function () {
    var documents = JSON.parse(dataNode.textContent);
    var holder = documents[0].message.holder;
    button.disabled = true;
    try {
      var accounts = await window.ethereum.request({ method: "eth_requestAccounts" });
      var known = accounts.map(function (a) { return String(a).toLowerCase(); });
      if (known.indexOf(holder.toLowerCase()) < 0) {
        status.textContent = button.dataset.wrongAccount.replace("{holder}", holder);
        return;
      }
      for (var i = 0; i < documents.length; i += 1) {
        var signature = await window.ethereum.request({
          method: "eth_signTypedData_v4", params: [holder, JSON.stringify(documents[i])] });
        document.getElementById("signature-" + i).value = signature;
      }
      status.textContent = button.dataset.signed;
    } catch (error) {
      status.textContent = (error && error.message) ? error.message : String(error);
    } finally {
      button.disabled = false;
    }
  });
})();
