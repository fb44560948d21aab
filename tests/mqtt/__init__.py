"""Tests of the MQTT consumer against real Mosquitto brokers."""
