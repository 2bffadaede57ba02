package config

// PhysicalDevices is the matcher of the devices the host presets read,
// for the tests outside the package that check it on real series.
const PhysicalDevices = physicalDevices
