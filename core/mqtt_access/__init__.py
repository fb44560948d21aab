"""MQTT access control: broker accounts, and Mosquitto's password and ACL files from the registry.

* :mod:`~core.mqtt_access.rules` — who may publish or read which topic filters (pure);
* :mod:`~core.mqtt_access.passwords` — random passwords and Mosquitto 2 ``$7$`` hashes;
* :mod:`~core.mqtt_access.files` — the file texts and their atomic writing;
* :mod:`~core.mqtt_access.accounts` — the ``broker_account`` table.
"""
