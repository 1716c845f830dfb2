// A handler whose decision lives in a layer: require() finds
// confirm-decision in /opt/nodejs/node_modules on Lambda, through NODE_PATH.
const { decide } = require("confirm-decision");

exports.handler = async (event) => {
  event.response = { ...event.response, ...decide(event) };
  return event;
};
